// serve.mjs: a static file server for the built site (no dependencies). Serves on 127.0.0.1 only.
// Usage: node scripts/serve.mjs [SITE_DIR] [PORT]   (PORT 0 picks a free port)
// Also importable: `startServer(dir, port)` resolves to { server, url }.
// Security headers: the pages carry their Content-Security-Policy in a meta tag (so any static host
// keeps it); what a meta tag cannot do is sent here: frame-ancestors 'none' with every page, and
// the page's policy with every script, since a Web Worker takes its policy from its script's
// response, not from the page's meta tag.
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.wgsl': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8', '.json': 'application/json', '.md': 'text/markdown',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.data': 'application/octet-stream',
};

// The policy of the site's index.html meta tag ('' when there is none).
async function pagePolicy(root) {
  try {
    const html = await fs.readFile(path.join(root, 'index.html'), 'utf8');
    const meta = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i);
    return meta ? meta[1] : '';
  } catch {
    return '';
  }
}

export function startServer(siteDir, port = 0) {
  const root = path.resolve(siteDir);
  let policy = null;  // read once, on the first request
  const server = http.createServer(async (request, response) => {
    const urlPath = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    let filePath = path.join(root, urlPath);
    if (!filePath.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    try {
      if ((await fs.stat(filePath)).isDirectory()) filePath = path.join(filePath, 'index.html');
      await fs.access(filePath);
    } catch {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const extension = path.extname(filePath);
    const type = MIME_TYPES[extension] || 'application/octet-stream';
    const headers = { 'Content-Type': type, 'Cache-Control': 'no-cache',
                      'X-Content-Type-Options': 'nosniff' };
    if (extension === '.html') {
      headers['Content-Security-Policy'] = "frame-ancestors 'none'";
    } else if (extension === '.js' || extension === '.mjs') {
      if (policy === null) policy = await pagePolicy(root);
      if (policy) headers['Content-Security-Policy'] = policy;
    }
    response.writeHead(200, headers);
    createReadStream(filePath).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${server.address().port}/` });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const siteDir = process.argv[2] || 'build/wasm/site';
  const port = Number(process.argv[3] || 8080);
  const { url } = await startServer(siteDir, port);
  console.log(`scalecalc is served at ${url}  (Ctrl+C to stop)`);
}
