// Generates version pairs and (version, range) pairs with node-semver's
// answers, for test/harness/semver_node.sh.  Usage: node semver_gen.js SEED N
// Prints tab-separated lines:  cmp <a> <b> <-1|0|1>
//                              sat <v> <range> <true|false|invalid>
//                              max <v1,v2,...> <range> <version|null|invalid>
'use strict'
const semver = require('semver')
const seed = Number(process.argv[2]) >>> 0
const n = Number(process.argv[3])

let s = seed || 1
function rnd () { // mulberry32
  s = (s + 0x6D2B79F5) >>> 0
  let t = s
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = a => a[Math.floor(rnd() * a.length)]
const chance = p => rnd() < p

function num () {
  if (chance(0.02)) return String(Math.floor(rnd() * 9007199254740991))
  return String(pick([0, 0, 0, 1, 1, 1, 2, 2, 3, 10, Math.floor(rnd() * 30)]))
}
function ident () {
  if (chance(0.4)) return String(pick([0, 1, 2, 3, 9, 10, 11, 100, Math.floor(rnd() * 1000)]))
  return pick(['alpha', 'beta', 'rc', 'a', 'b', 'A', 'Z', 'x', '-', 'a-b', '-1', '0a', '1a', 'alpha1',
    'beta-2', 'rc-', 'pre', 'Alpha', 'zz', 'b0', 'X1'])
}
function pre () {
  const k = 1 + Math.floor(rnd() * (chance(0.8) ? 2 : 4))
  const ids = []
  for (let i = 0; i < k; i++) ids.push(ident())
  return ids.join('.')
}
function build () {
  const k = 1 + Math.floor(rnd() * 2)
  const ids = []
  for (let i = 0; i < k; i++) ids.push(pick(['001', '1', 'sha', 'exp', 'b-1', '20240101', 'x7']))
  return ids.join('.')
}
function version () {
  let v = num() + '.' + num() + '.' + num()
  if (chance(0.35)) v += '-' + pre()
  if (chance(0.15)) v += '+' + build()
  return v
}
function xr () {
  return chance(0.1) ? pick(['x', 'X', '*']) : String(pick([0, 0, 1, 1, 2, 2, 3, 10, 11, num()]))
}
function partial () {
  const k = pick([1, 2, 3, 3, 3])
  const parts = []
  for (let i = 0; i < k; i++) {
    // mostly well-ordered x-ranges (1.x.x), sometimes not (x.1, 1.x.3: invalid)
    const afterX = i > 0 && /^[xX*]$/.test(parts[i - 1])
    parts.push(afterX && chance(0.9) ? pick(['x', 'X', '*']) : xr())
  }
  let p = (chance(0.1) ? 'v' : '') + parts.join('.')
  if (k === 3 && chance(0.3)) p += '-' + pre()
  if (k === 3 && chance(0.05)) p += '+' + build()
  return p
}
function comparator () {
  const op = pick(['', '', '=', '<', '<=', '>', '>=', '~', '~>', '^', '^'])
  return op + (op && chance(0.15) ? ' ' : '') + partial()
}
const invalid = ['1.2.3.4', '>>1', '1.2.3-', '~', '^', 'a.b', '01.2', '1.02.3', '1.2.3-01', '<', '>=',
  '1.2.3 -2', '1.2.3-a..b', '1.2.3+', '!1', '1..2', 'x.1', '1.x.3', '1.2-beta', '||1|2', '1 - 2 - 3']
function set () {
  if (chance(0.03)) return ''
  if (chance(0.03)) return pick(invalid)
  if (chance(0.15)) return partial() + ' - ' + partial()
  const k = 1 + Math.floor(rnd() * 3)
  const cs = []
  for (let i = 0; i < k; i++) cs.push(comparator())
  return cs.join(chance(0.1) ? '  ' : ' ')
}
function range () {
  const k = chance(0.7) ? 1 : 2 + Math.floor(rnd() * 2)
  const sets = []
  for (let i = 0; i < k; i++) sets.push(set())
  return sets.join(pick([' || ', '||', ' ||', '|| ']))
}
// versions near the bounds ranges write: small numbers, prereleases
function nearVersion () {
  const nn = () => String(pick([0, 0, 1, 1, 2, 2, 3, 10, 11]))
  let v = nn() + '.' + nn() + '.' + nn()
  if (chance(0.35)) v += '-' + pre()
  return v
}

const out = []
for (let i = 0; i < n; i++) {
  const a = chance(0.5) ? version() : nearVersion()
  const b = chance(0.3) ? a.replace(/\+.*$/, '') + (chance(0.5) ? '+' + build() : '') : (chance(0.5) ? version() : nearVersion())
  out.push(['cmp', a, b, String(semver.compare(a, b))].join('\t'))
}
for (let i = 0; i < n; i++) {
  const v = chance(0.5) ? nearVersion() : version()
  const r = range()
  let ans
  try {
    new semver.Range(r) // eslint-disable-line no-new
    ans = String(semver.satisfies(v, r))
  } catch (e) {
    ans = 'invalid'
  }
  out.push(['sat', v, r, ans].join('\t'))
}
for (let i = 0; i < Math.max(1, Math.floor(n / 10)); i++) {
  const vs = []
  const k = 1 + Math.floor(rnd() * 8)
  for (let j = 0; j < k; j++) vs.push(nearVersion())
  const r = range()
  let ans
  try {
    new semver.Range(r) // eslint-disable-line no-new
    const m = semver.maxSatisfying(vs, r)
    ans = m === null ? 'null' : m
  } catch (e) {
    ans = 'invalid'
  }
  out.push(['max', vs.join(','), r, ans].join('\t'))
}
process.stdout.write(out.join('\n') + '\n')
