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
  // default (cores - 1 = one worker) runs them one after another. With 4 or 5 (4 m 41 s at 5) the
  // replica trials (3 apps and a redis-server on the same 2 cores) met a 500 in about half the
  // fresh-clone runs; 3 is where they have held.
  maxWorkers: 3,
};
