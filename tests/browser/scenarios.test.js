'use strict';
// The conformance scenarios in Chromium, plain build (build-wasm/tests/browser): see scenario-suite.js.
require('./scenario-suite').defineScenarioSuite({ build: 'browser' });
