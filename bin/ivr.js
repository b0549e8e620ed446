#!/usr/bin/env node
// `ivr` command: runs the TypeScript CLI through tsx's require hook (no build step to forget).
'use strict';
require('tsx/cjs');
require('../cli/main.ts');
