/**
 * The server name a TLS client asks for, read from its ClientHello without terminating TLS: what a passthrough
 * router (ingress-nginx's ssl-passthrough, Traefik's HostSNI) routes on. Returns undefined while the record is
 * incomplete, null when the bytes are not a ClientHello with SNI.
 */
export function serverNameOf(buf: Buffer): string | null | undefined {
  if (buf.length < 5) return undefined;
  if (buf[0] !== 0x16) return null; // not a handshake record
  const recordEnd = 5 + buf.readUInt16BE(3);
  if (buf.length < recordEnd) return undefined;
  let p = 5;
  if (buf[p] !== 0x01) return null; // not a ClientHello
  p += 4 + 2 + 32; // handshake header, client version, random
  const skip = (lenBytes: 1 | 2) => {
    if (p + lenBytes > recordEnd) return false;
    const len = lenBytes === 1 ? buf[p]! : buf.readUInt16BE(p);
    p += lenBytes + len;
    return p <= recordEnd;
  };
  if (!skip(1) || !skip(2) || !skip(1)) return null; // session id, cipher suites, compression methods
  if (p + 2 > recordEnd) return null;
  const extensionsEnd = p + 2 + buf.readUInt16BE(p);
  p += 2;
  while (p + 4 <= Math.min(extensionsEnd, recordEnd)) {
    const type = buf.readUInt16BE(p);
    const len = buf.readUInt16BE(p + 2);
    p += 4;
    if (type === 0x0000) {
      // server_name: list length (2), then entries of type (1), length (2), name
      let q = p + 2;
      while (q + 3 <= p + len) {
        const nameType = buf[q]!;
        const nameLen = buf.readUInt16BE(q + 1);
        if (nameType === 0)
          return buf
            .subarray(q + 3, q + 3 + nameLen)
            .toString('ascii')
            .toLowerCase();
        q += 3 + nameLen;
      }
      return null;
    }
    p += len;
  }
  return null;
}
