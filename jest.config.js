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
  // default (cores - 1 = one worker) runs them one after another. The replica trials (3 apps and a
  // redis-server on the same 2 cores) hold at 4 since a delivery that comes second waits for the
  // repository's lock past Probot's 202 instead of failing at 8 s.
  maxWorkers: 4,
};
