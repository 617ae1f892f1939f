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
  // default (cores - 1 = one worker) runs them one after another. With 3 the suite took 6 m 29 s; with
  // 5, 4 m 41 s, but the replica trials (3 apps and a redis-server on the same 2 cores) then once
  // saw a 500 in 32 trials: 4 is the compromise.
  maxWorkers: 4,
};
