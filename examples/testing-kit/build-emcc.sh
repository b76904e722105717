#!/bin/sh
# Builds chat.c into build/ with emcc alone, the flags coming from the emrtc npm package.
set -e
mkdir -p build
emcc chat.c $(npx emrtc --cflags --libs) -O2 -sENVIRONMENT=web -o build/chat.js
cp index.html build/
