/** @type {import('jest').Config} */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "test/tsconfig.json" }],
  },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // Server tests start the app as a process and wait on real HTTP; on 2 busy cores 5 s is too tight.
  testTimeout: 30_000,
  // Most suites wait on Probot's write spacing or on started apps, not on the CPU: on 2 cores, jest's
  // default (cores - 1 = one worker) runs them one after another. With 5, the suite uses about half
  // of 2 cores (4 m 41 s wall, 4 m 20 s CPU; with 3 it took 6 m 29 s).
  maxWorkers: 5,
};
