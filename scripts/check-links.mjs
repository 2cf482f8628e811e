// Checks every relative link and #anchor in the repository's markdown and in the generated API
// reference (docs/api, when built): the target file exists, and the anchor exists in it (GitHub's
// heading slugs for markdown, id/name attributes for HTML and SVG). External links are not
// fetched. Prints each broken link and exits 1; prints a one-line count and exits 0 otherwise.
//
//   node scripts/check-links.mjs [root]      (root: the repository, by default this script's parent)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const apiDir = join(root, 'docs', 'api');

/** Every file under `dir` (skipping node_modules and dot-directories) whose name passes `keep`. */
function walk(dir, keep, skip = () => false) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || skip(path)) continue;
      out.push(...walk(path, keep, skip));
    } else if (keep(entry.name)) out.push(path);
  }
  return out;
}

function markdownFiles() {
  const files = ['README.md', 'SECURITY.md'].map((name) => join(root, name)).filter((path) => existsSync(path));
  files.push(...walk(join(root, 'docs'), (name) => name.endsWith('.md'), (path) => path === apiDir));
  files.push(...walk(join(root, 'spec'), (name) => name.endsWith('.md')));
  for (const dir of ['packages', 'examples']) {
    files.push(...walk(join(root, dir), (name) => name === 'README.md'));
  }
  // A package's own subfolders (test fixtures and the like) are not documentation.
  return [...new Set(files)].filter((path) => !/[\\/]packages[\\/][^\\/]+[\\/].+[\\/]README\.md$/.test(path));
}

// ---- markdown ----------------------------------------------------------------------------------

/** The text of a markdown heading as GitHub renders it: inline markup gone, link text kept. */
function headingText(raw) {
  return raw
    .replace(/\s+#+\s*$/, '') // closing hashes
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`/g, '')
    .replace(/(\*\*|__|\*|~~)/g, '');
}

/** GitHub's heading anchor: lower case, punctuation dropped (letters, digits, _ and - kept), spaces to -. */
function slug(text) {
  return headingText(text)
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Markdown lines with fenced code blocks blanked out (kept as empty lines so line numbers hold). */
function proseLines(text) {
  let fence = null;
  return text.split('\n').map((line) => {
    const open = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === null && open) {
      fence = open[1];
      return '';
    }
    if (fence !== null) {
      if (line.trim().startsWith(fence[0].repeat(fence.length)) && line.trim().replace(/[`~]/g, '') === '') fence = null;
      return '';
    }
    return line;
  });
}

const anchorCache = new Map();

/** The anchors a file offers: heading slugs (numbered when repeated) and explicit id/name attributes. */
function anchorsOf(path) {
  let anchors = anchorCache.get(path);
  if (anchors !== undefined) return anchors;
  anchors = new Set();
  const text = readFileSync(path, 'utf8');
  for (const match of text.matchAll(/\s(?:id|name)\s*=\s*["']([^"']+)["']/g)) anchors.add(match[1]);
  if (path.endsWith('.md')) {
    const seen = new Map();
    for (const line of proseLines(text)) {
      const heading = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line);
      if (!heading) continue;
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
  }
  anchorCache.set(path, anchors);
  return anchors;
}

/** Link targets in one markdown file, with their line numbers; inline code is not a link. */
function markdownLinks(text) {
  const links = [];
  proseLines(text).forEach((line, index) => {
    const prose = line.replace(/(`+)[^`]*?\1/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push([match[1], index + 1]);
    const reference = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(prose);
    if (reference) links.push([reference[1], index + 1]);
    for (const match of prose.matchAll(/<a\s[^>]*href\s*=\s*["']([^"']+)["']/g)) links.push([match[1], index + 1]);
  });
  return links;
}

// ---- HTML --------------------------------------------------------------------------------------

function htmlLinks(text) {
  const links = [];
  let line = 1;
  let last = 0;
  for (const match of text.matchAll(/\s(?:href|src)\s*=\s*"([^"]*)"/g)) {
    for (let i = last; i < match.index; i++) if (text.charCodeAt(i) === 10) line++;
    last = match.index;
    links.push([match[1].replace(/&amp;/g, '&'), line]);
  }
  return links;
}

// ---- checking ----------------------------------------------------------------------------------

const external = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i; // http:, mailto:, data:, protocol-relative …

/** Why `target`, linked from `from`, is broken; null when it is fine or not ours to check. */
function problem(from, target) {
  if (target === '' || external.test(target)) return null;
  const hash = target.indexOf('#');
  const pathPart = (hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
  let anchor;
  let decoded;
  try {
    anchor = hash === -1 ? '' : decodeURIComponent(target.slice(hash + 1));
    decoded = decodeURIComponent(pathPart);
  } catch {
    return 'malformed percent-encoding';
  }
  let file = from;
  if (pathPart !== '') {
    // A leading / is the repository root, as on GitHub.
    file = decoded.startsWith('/') ? join(root, decoded) : resolve(dirname(from), decoded);
    if (!existsSync(file)) return 'no such file';
  }
  if (anchor === '') return null;
  if (statSync(file).isDirectory()) {
    const readme = join(file, 'README.md');
    if (!existsSync(readme)) return `#${anchor}: a directory without README.md`;
    file = readme;
  }
  if (!/\.(md|html?|svg)$/i.test(file)) return null; // anchors into other files (line numbers …) are not checked
  return anchorsOf(file).has(anchor) ? null : `no anchor #${anchor} in ${relative(root, file).split(sep).join('/')}`;
}

const broken = [];
let checked = 0;
const files = [...markdownFiles(), ...walk(apiDir, (name) => name.endsWith('.html'))];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const links = file.endsWith('.md') ? markdownLinks(text) : htmlLinks(text);
  for (const [target, line] of links) {
    checked++;
    const why = problem(file, target);
    if (why !== null) broken.push(`${relative(root, file).split(sep).join('/')}:${line}: ${target} — ${why}`);
  }
}

if (broken.length > 0) {
  console.error(`${broken.length} broken link${broken.length === 1 ? '' : 's'}:`);
  for (const line of broken) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`links: ${checked} checked in ${files.length} files, none broken`);
