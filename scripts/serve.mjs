// serve.mjs: a static file server for the built site (no dependencies). Serves on 127.0.0.1 only.
// Usage: node scripts/serve.mjs [SITE_DIR] [PORT]   (PORT 0 picks a free port)
// Also importable: `startServer(dir, port)` resolves to { server, url }.
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

export function startServer(siteDir, port = 0) {
  const root = path.resolve(siteDir);
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
    const type = MIME_TYPES[path.extname(filePath)] || 'application/octet-stream';
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
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
