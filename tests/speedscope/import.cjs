// SPDX-License-Identifier: MIT
// Opens profiles with speedscope's own importer, the code its web page runs
// when a file is dropped on it or given to its `speedscope FILE` command,
// and prints what it made of each as JSON: the profiles, their unit and
// total, every frame with its total and self weight, and every stack
// (root first) with its weight.
//
// The npm package ships the web page only: one bundle, its importer inside.
// The bundle runs here in a context of its own with the few browser globals
// its modules read while they set up (location, localStorage, matchMedia;
// no process, require or Buffer, so protobufjs and pako take their browser
// paths). Its last statement mounts the user interface into document.body:
// there is no document here, so it stops there, after everything else has
// run. One statement is added to the bundle: it hands out the importer's
// module (src/import/index.ts), which the page reaches through a variable
// of the bundle's own.
//
// usage: node import.cjs PROFILE...
'use strict'
const fs = require('fs')
const path = require('path')
const vm = require('vm')

const release = path.join(__dirname, 'node_modules', 'speedscope', 'dist', 'release')

function fail(what) {
  process.stderr.write(`import.cjs: ${what}\n`)
  process.exit(1)
}

function loadImporter(logs) {
  const html = fs.readFileSync(path.join(release, 'index.html'), 'utf8')
  const script = /<script src="([^"]+\.js)">/.exec(html)
  if (!script) fail('no script in speedscope\'s index.html')
  const src = fs.readFileSync(path.join(release, script[1]), 'utf8')
  // The page's loaders call `(await X).importProfileGroupFromBase64(...)`,
  // X a promise of the importer's module, defined once at the top level.
  const use = /\(await ([\w$]+)\)\.importProfileGroupFromBase64\(/.exec(src)
  if (!use) fail('the bundle has no call of importProfileGroupFromBase64')
  const name = use[1].replace(/\$/g, '\\$')
  const def = new RegExp(`var ${name}=Promise\\.resolve\\(\\)\\.then\\([^;]*;`).exec(src)
  if (!def) fail(`the bundle does not define ${use[1]} as a module's promise`)
  const at = def.index + def[0].length
  const patched = `${src.slice(0, at)}globalThis.speedscopeImporter=${use[1]};${src.slice(at)}`

  const record = (...args) => logs.push(args.map(String).join(' '))
  const page = {
    console: { log: record, info: record, warn: record, error: record, debug: record,
               time() {}, timeEnd() {} },
    TextDecoder, TextEncoder, atob, btoa, URL, setTimeout, clearTimeout, queueMicrotask,
    location: { hash: '', protocol: 'file:', href: `file://${release}/index.html` },
    localStorage: {},
    matchMedia: () => ({ matches: false, addListener() {}, addEventListener() {} }),
  }
  page.window = page.self = page
  vm.createContext(page)
  try {
    vm.runInContext(patched, page, { filename: script[1] })
    fail('the bundle ran to its end without a document')
  } catch (e) {
    const mounted = logs.some(l => l.startsWith('speedscope v'))
    if (e.name !== 'ReferenceError' || e.message !== 'document is not defined' || !mounted)
      fail(`the bundle stopped before its user interface: ${e.stack}`)
  }
  if (!page.speedscopeImporter) fail('the importer\'s module was not handed out')
  return { importer: page.speedscopeImporter, version: logs.find(l => l.startsWith('speedscope v')) }
}

function describe(profile) {
  const frames = []
  profile.forEachFrame(f => frames.push({ name: f.name, file: f.file ?? null, line: f.line ?? null,
                                          total: f.getTotalWeight(), self: f.getSelfWeight() }))
  // The grouped call tree (the left-heavy view): identical stacks merged.
  const stacks = []
  const walk = (node, stack) => {
    if (node.getSelfWeight() > 0) stacks.push({ stack, weight: node.getSelfWeight() })
    for (const child of node.children) walk(child, [...stack, child.frame.name])
  }
  walk(profile.getGroupedCalltreeRoot(), [])
  return {
    name: profile.getName(),
    unit: profile.getWeightUnit(),
    total: profile.getTotalWeight(),
    shown: profile.formatValue(profile.getTotalWeight()),
    frames,
    stacks,
  }
}

async function main() {
  const logs = []
  const { importer, version } = loadImporter(logs)
  const mod = await importer
  const out = { version, files: [] }
  for (const file of process.argv.slice(2)) {
    logs.length = 0
    const data = fs.readFileSync(file).toString('base64')
    const group = await mod.importProfileGroupFromBase64(path.basename(file), data)
    const entry = { file, logs: [...logs], profiles: null }
    if (group) {
      // As the page does before it shows a profile.
      for (const p of group.profiles) await p.demangle()
      entry.profiles = group.profiles.map(describe)
    }
    out.files.push(entry)
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}

main().catch(e => fail(e.stack))
