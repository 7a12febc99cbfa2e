#!/usr/bin/env bash
# Builds the app's pages into dist/, one bundle each (waitwell_core::Page):
# index.html by trunk's usual run (which empties dist/ and copies public/),
# then board.html, staff.html, insights.html, tablets.html and phone.html
# each into a folder of its own, whose files join dist/. trunk's post-build hook compresses each
# (scripts/compress.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
trunk build --release=true
for page in board staff insights tablets phone; do
  out="target/pages/$page"
  trunk build "$page.html" --release=true --dist "$out" --html-output "$page.html"
  cp "$out"/* dist/
done
