// netns.mjs — the network of make scale (tests/scale/), made with ip netns
// and veth pairs and removed again, even after a failure: one namespace
// for the primary, one per edge; this process's own (root) namespace holds
// the buyers and the test. Links, each a /30 of one private /24 chosen
// at random among those this machine does not use (runs side by side do
// not collide):
//
//   root .1 ─── .2 primary           the test reaching the primary directly
//   primary .4i+1 ─── .4i+2 edge i   each edge's own link to the primary
//   root .128+4i+1 ─── .128+4i+2 edge i the buyers of edge i
//
// So the primary sees each edge at its own address (the ones its real_ip
// lines trust) and each edge's buyers at another (the root end of their
// link), which is the address the primary must see as the client.
import { execFileSync } from 'node:child_process';

const ip = (...args) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const PREFIX = 'bos';   // every namespace and root-side link of make scale starts so

// Namespaces left by a run that died without cleaning up (its pid is gone).
export function removeStale() {
  for (const line of ip('netns', 'list').split('\n')) {
    const m = new RegExp(`^(${PREFIX}(\\d+)[pe]\\d*)\\b`).exec(line);
    if (!m) continue;
    let alive = true;
    try { process.kill(Number(m[2]), 0); } catch { alive = false; }
    if (!alive) { try { ip('netns', 'del', m[1]); } catch { /* gone meanwhile */ } }
  }
}

function freeSubnet() {
  const used = ip('-4', '-o', 'addr', 'show');
  for (let i = 0; i < 100; i++) {
    const net = `10.${128 + Math.floor(Math.random() * 127)}.${Math.floor(Math.random() * 256)}`;
    if (!used.includes(` ${net}.`)) return net;
  }
  throw new Error('no free 10.x.y.0/24 found');
}

// Makes the network: { primary: { ns, addr }, edges: [{ ns, addr, toPrimary, primaryAddr, buyerAddr }],
// remove() }. addr: where the root namespace reaches it; toPrimary: the
// edge's address on its link to the primary; primaryAddr: the primary's
// end of that link; buyerAddr: the root end of the buyers' link (the
// buyers' address as the edge sees it).
export function makeNetwork(edgeCount = 3) {
  removeStale();
  const tag = `${PREFIX}${process.pid}`;
  const net = freeSubnet();
  const spaces = [];
  const topo = {
    net, primary: { ns: `${tag}p`, addr: `${net}.2`, rootAddr: `${net}.1` }, edges: [],
    remove() {
      // Deleting a namespace deletes its veth ends, and with them their peers.
      for (const ns of spaces.splice(0)) { try { ip('netns', 'del', ns); } catch { /* already gone */ } }
    },
  };
  const add = (ns) => { ip('netns', 'add', ns); spaces.push(ns); ip('-n', ns, 'link', 'set', 'lo', 'up'); };
  // A veth pair from namespace A (null: root) to B, addresses on both ends.
  const link = (aNs, aName, aAddr, bNs, bName, bAddr) => {
    ip('link', 'add', aName, ...(aNs ? ['netns', aNs] : []), 'type', 'veth', 'peer', 'name', bName, 'netns', bNs);
    const onA = aNs ? ['-n', aNs] : [];
    ip(...onA, 'addr', 'add', `${aAddr}/30`, 'dev', aName);
    ip(...onA, 'link', 'set', aName, 'up');
    ip('-n', bNs, 'addr', 'add', `${bAddr}/30`, 'dev', bName);
    ip('-n', bNs, 'link', 'set', bName, 'up');
  };
  try {
    add(topo.primary.ns);
    link(null, `${tag}r0`, `${net}.1`, topo.primary.ns, 'root0', `${net}.2`);
    for (let i = 1; i <= edgeCount; i++) {
      const ns = `${tag}e${i}`;
      add(ns);
      link(topo.primary.ns, `edge${i}`, `${net}.${4 * i + 1}`, ns, 'primary', `${net}.${4 * i + 2}`);
      link(null, `${tag}r${i}`, `${net}.${128 + 4 * i + 1}`, ns, 'buyers', `${net}.${128 + 4 * i + 2}`);
      topo.edges.push({ ns, addr: `${net}.${128 + 4 * i + 2}`, buyerAddr: `${net}.${128 + 4 * i + 1}`,
        toPrimary: `${net}.${4 * i + 2}`, primaryAddr: `${net}.${4 * i + 1}` });
    }
  } catch (e) {
    topo.remove();
    throw e;
  }
  return topo;
}
