'use strict';
// One Jest run covers the Node-side tests (signaling server, package entry point) and the
// browser tests (headless Chromium driven by puppeteer-core against wasm builds in build-wasm/).
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/tests/**/*.test.js'],
  testTimeout: 120000,
  maxWorkers: 2,
  verbose: true,
};
