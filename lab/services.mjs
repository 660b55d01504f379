#!/usr/bin/env node
// Tiny TCP services for a lab host, started by lab.mjs inside the host's namespace:
//   node lab/services.mjs <bind-ip> '<services JSON from topology.json>'
// Each service: { proto: "tcp", port, banner?: string, http?: { server?, title? } }.
//   banner: sent on connect (then the connection idles until the client closes, at most 10 s);
//   http:   answers the first request with a small HTTP/1.0 200 page and closes;
//   neither: accepts and idles (an open port with no banner).
// Prints `ready <ports>` once every port listens. Exits on SIGTERM/SIGINT.
import net from 'node:net';

const [bindIp, json] = process.argv.slice(2);
const services = JSON.parse(json ?? '[]');
const IDLE_MS = 10_000;

function handler(service) {
  return (socket) => {
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    socket.on('error', () => {});
    if (service.http) {
      const title = service.http.title ?? 'roller lab';
      const body = `<html><head><title>${title}</title></head><body>${title}</body></html>\n`;
      socket.once('data', () => {
        socket.end(
          `HTTP/1.0 200 OK\r\nServer: ${service.http.server ?? 'RollerLab'}\r\nContent-Type: text/html\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
    } else if (service.banner) {
      socket.write(`${service.banner}\r\n`);
    }
    socket.on('data', () => {});
  };
}

const servers = await Promise.all(
  services.map(
    (service) =>
      new Promise((resolve, reject) => {
        const server = net.createServer(handler(service));
        server.once('error', reject);
        server.listen({ host: bindIp, port: service.port }, () => resolve(server));
      }),
  ),
);
console.log(`ready ${services.map((service) => `${service.proto}/${service.port}`).join(' ')}`);

const stop = () => {
  for (const server of servers) server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
