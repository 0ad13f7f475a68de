// Writes .cache/vscodeignore for `npm run package`: the project's .vscodeignore plus the webgpu
// package's dawn.node builds of every other platform (npm's `webgpu` ships all five, ~130 MiB;
// the package for this machine needs its own only). `npm run package:targets` prunes per target.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const own = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
const dist = path.join(root, 'node_modules', 'webgpu', 'dist');
const others = fs.existsSync(dist) ? fs.readdirSync(dist).filter((d) => d !== own) : [];
const text = [fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').trimEnd(), '# this machine keeps its own dawn.node only', ...others.map((d) => `node_modules/webgpu/dist/${d}/**`), ''].join('\n');
fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
fs.writeFileSync(path.join(root, '.cache', 'vscodeignore'), text);
console.log(`package-ignore: keeping webgpu's ${own} dawn.node; leaving out ${others.join(', ') || 'nothing'}`);
