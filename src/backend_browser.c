/* The built-in backend under Emscripten: the browser's RTCPeerConnection / RTCDataChannel.
   All JS lives in the EM_JS blocks below, compiled into libemrtc.a: linking the library is all a
   program needs. The JS side keeps its state on one object, Module.emrtcJs, with its browser objects
   in two Maps keyed by the C handle ids; JS reaches back into C only through the few
   EMSCRIPTEN_KEEPALIVE functions at the bottom, with plain numbers and pointers into wasm memory.
   Every handler first checks that its object is still in the Map; destroy nulls every handler.
   (EM_JS bodies are stringified by the preprocessor: block comments only, no apostrophes.) */
#ifdef __EMSCRIPTEN__

#include "emrtc_internal.h"

#include <emscripten.h>
#include <stdlib.h>
#include <string.h>

/* ---- JS ---- */

/* threads: whether this library was compiled with -pthread. Returns 0, or an emrtc_error code with
   the message recorded when the library does not match the program (shared memory or not). */
EM_JS(int, emrtc_js_init, (int threads), {
    if (Module.emrtcJs) return Module.emrtcJs.check();
    var R = Module.emrtcJs = {pcs: new Map(), dcs: new Map(), cfg: null, enc: new TextEncoder(), dec: new TextDecoder(),
        shared: typeof SharedArrayBuffer !== "undefined" && HEAPU8.buffer instanceof SharedArrayBuffer, out: null};
    /* A -pthread program has a shared heap; Emscripten 3.1.6 links it with either library silently. */
    R.check = function() { return R.shared === !!threads ? 0 : 3; }; /* 3: emrtc_js_mismatch says why */
    var CONN = {"new": 0, "connecting": 1, "connected": 2, "disconnected": 3, "failed": 4, "closed": 5};
    var GATHER = {"new": 0, "gathering": 1, "complete": 2};
    var SIG = {"stable": 0, "have-local-offer": 1, "have-remote-offer": 2, "have-local-pranswer": 3, "have-remote-pranswer": 4, "closed": 5};
    var DC = {"connecting": 0, "open": 1, "closing": 2, "closed": 3};
    var SDP_TYPES = ["offer", "answer", "pranswer", "rollback"];
    Module.emrtcLiveObjects = function() { return R.pcs.size + R.dcs.size; };
    /* A page that goes away closes its connections, so the far side hears it at once (SCTP abort)
       and its channels close; left alone, Chromium keeps the far channels open indefinitely. */
    if (typeof window !== "undefined") window.addEventListener("pagehide", function() {
        R.pcs.forEach(function(o) { o.pc.close(); });
    });

    /* JS strings to C: written into a scratch buffer that C copies from at once. null when C has no
       memory for them: the caller then tells C through R.lost (which allocates nothing). */
    R.strings = function(list) {
        var total = 0, lens = [];
        for (var i = 0; i < list.length; i++) { lens.push(lengthBytesUTF8(list[i]) + 1); total += lens[i]; }
        var p = _emrtc__js_scratch(total), at = p, out = [];
        if (!p) return null;
        for (var i = 0; i < list.length; i++) { stringToUTF8(list[i], at, lens[i]); out.push(at); at += lens[i]; }
        return out;
    };
    R.lost = function(pcId) { _emrtc__js_lost(pcId); };
    /* Records `text` as emrtc_last_error_message() (copied by C at once). */
    R.fail = function(text) {
        var s = R.strings([text]);
        _emrtc__js_fail(s ? s[0] : 0);
    };
    /* Error codes of emrtc_error for the browser exception names */
    R.code = function(e, fallback) {
        var n = e && e.name;
        if (n === "InvalidStateError") return 2;
        if (n === "RangeError") return 5;
        if (n === "SyntaxError" || n === "TypeError" || n === "InvalidAccessError") return 31;
        return fallback;
    };
    R.error = function(id, code, step, e) {
        var text = step + ": " + (e && e.name ? e.name + ": " : "") + (e && e.message ? e.message : String(e));
        /* a browser message can quote what the remote sent: at most 1000 characters of it */
        if (text.length > 1000) text = text.substring(0, 1000) + "...";
        var s = R.strings([text]);
        if (!s) { R.lost(id); return; }
        _emrtc__js_error(id, code, s[0]);
    };
    R.live = function(o) { return R.pcs.get(o.id) === o; };

    R.pcCreate = function(id) {
        var pc;
        try { pc = new RTCPeerConnection(R.cfg || {}); } catch (e) { R.cfg = null; return e; }
        R.cfg = null;
        var o = {id: id, pc: pc, lastMid: "0", lastIndex: 0, endSent: false, gathered: 0, iceError: ""};
        R.pcs.set(id, o);
        pc.onicecandidate = function(ev) {
            if (!R.live(o)) return;
            var c = ev.candidate;
            if (c && c.candidate) {
                o.lastMid = c.sdpMid || "0"; o.lastIndex = c.sdpMLineIndex || 0; o.endSent = false;
                o.gathered++;
                var s = R.strings([o.lastMid, c.candidate]);
                if (!s) { R.lost(id); return; }
                _emrtc__js_candidate(id, s[0], o.lastIndex, s[1]);
            } else if (!o.endSent) {
                o.endSent = true;
                var s = R.strings([o.lastMid, ""]);
                if (!s) { R.lost(id); return; }
                _emrtc__js_candidate(id, s[0], o.lastIndex, s[1]);
                /* a gathering round without a single candidate can never connect: say why */
                if (!o.gathered) {
                    var policy = pc.getConfiguration().iceTransportPolicy;
                    R.error(id, 25, "gathering", "no local candidate (ice_transport_policy " + policy +
                        (policy === "relay" ? ": it needs a TURN server that answers" : "") + ")" +
                        (o.iceError ? "; last icecandidateerror: " + o.iceError : ""));
                }
                o.gathered = 0;
            }
        };
        pc.onicecandidateerror = function(ev) {
            if (R.live(o)) o.iceError = (ev.url || "?") + ": " + ev.errorCode + " " + (ev.errorText || "");
        };
        pc.onconnectionstatechange = function() { if (R.live(o)) _emrtc__js_state(id, 0, CONN[pc.connectionState]); };
        pc.onicegatheringstatechange = function() { if (R.live(o)) _emrtc__js_state(id, 1, GATHER[pc.iceGatheringState]); };
        pc.onsignalingstatechange = function() { if (R.live(o)) _emrtc__js_state(id, 2, SIG[pc.signalingState]); };
        pc.ondatachannel = function(ev) {
            if (!R.live(o)) return;
            var dc = ev.channel;
            var s = R.strings([dc.label, dc.protocol]);
            if (!s) { dc.close(); R.lost(id); return; }
            var ch = _emrtc__js_channel_received(id, s[0], s[1], dc.id === null ? -1 : dc.id, dc.ordered ? 1 : 0,
                dc.maxRetransmits === null ? -1 : dc.maxRetransmits, dc.maxPacketLifeTime === null ? -1 : dc.maxPacketLifeTime);
            if (!ch) { dc.close(); return; }
            R.dcAttach(ch, dc, o);
        };
        return null;
    };
    R.pcClose = function(id) {
        var o = R.pcs.get(id);
        if (!o) return;
        o.pc.close();
    };
    R.pcDestroy = function(id) {
        var o = R.pcs.get(id);
        if (!o) return;
        var pc = o.pc;
        pc.onicecandidate = pc.onicecandidateerror = pc.onconnectionstatechange = pc.onicegatheringstatechange = null;
        pc.onsignalingstatechange = pc.ondatachannel = null;
        R.pcs.delete(id);
        pc.close();
        /* handlers of operations that never settle on a closed pc capture o: let them hold o only */
        o.pc = null;
    };
    R.createOffer = function(id) {
        var o = R.pcs.get(id);
        o.pc.createOffer().then(function(d) {
            if (!R.live(o)) return;
            var s = R.strings([d.type, d.sdp]);
            if (!s) { R.error(id, 6, "create_offer", "no memory for the offer"); return; }
            _emrtc__js_sdp(id, s[0], s[1]);
        }, function(e) { if (R.live(o)) R.error(id, 1, "create_offer", e); });
    };
    R.restartIce = function(id) {
        var o = R.pcs.get(id);
        o.pc.restartIce();
        R.createOffer(id);
    };
    /* getStats, boiled down to plain numbers for C: the transport, its selected pair and both ends */
    var CAND = {"host": 1, "srflx": 2, "prflx": 3, "relay": 4};
    var PROTO = {"udp": 1, "tcp": 2, "tls": 3};
    R.getStats = function(id) {
        var o = R.pcs.get(id);
        o.pc.getStats().then(function(report) {
            if (!R.live(o)) return;
            var t = null, pair = null;
            report.forEach(function(st) { if (st.type === "transport" && !t) t = st; });
            if (t && t.selectedCandidatePairId) pair = report.get(t.selectedCandidatePairId);
            var lc = pair ? report.get(pair.localCandidateId) : null, rc = pair ? report.get(pair.remoteCandidateId) : null;
            var z = {};
            t = t || z; pair = pair || z; lc = lc || z; rc = rc || z;
            var s = R.strings([lc.address || "", rc.address || ""]);
            _emrtc__js_stats(id, t.timestamp || pair.timestamp || Date.now(),
                (pair.currentRoundTripTime || 0) * 1000, (pair.totalRoundTripTime || 0) * 1000, pair.responsesReceived || 0,
                pair.availableOutgoingBitrate || 0,
                t.bytesSent || 0, t.bytesReceived || 0, t.packetsSent || 0, t.packetsReceived || 0,
                CAND[lc.candidateType] || 0, PROTO[lc.protocol] || 0, PROTO[lc.relayProtocol] || 0, lc.port || 0, s[0],
                CAND[rc.candidateType] || 0, PROTO[rc.protocol] || 0, rc.port || 0, s[1]);
        }, function(e) { if (R.live(o)) R.error(id, 1, "get_stats", e); });
    };
    R.setLocal = function(id, type, sdp) {
        var o = R.pcs.get(id);
        var d = type === 3 ? {type: "rollback"} : {type: SDP_TYPES[type], sdp: sdp};
        o.pc.setLocalDescription(d).catch(function(e) {
            if (R.live(o)) R.error(id, R.code(e, 30), "set_local_description", e);
        });
    };
    R.setRemote = function(id, type, sdp) {
        var o = R.pcs.get(id);
        var d = type === 3 ? {type: "rollback"} : {type: SDP_TYPES[type], sdp: sdp};
        o.pc.setRemoteDescription(d).then(function() {
            if (!R.live(o) || type !== 0) return;
            return o.pc.createAnswer().then(function(a) {
                if (!R.live(o)) return;
                var s = R.strings([a.type, a.sdp]);
                if (!s) { R.error(id, 6, "create_answer", "no memory for the answer"); return; }
                _emrtc__js_sdp(id, s[0], s[1]);
            }, function(e) { if (R.live(o)) R.error(id, 1, "create_answer", e); });
        }, function(e) { if (R.live(o)) R.error(id, R.code(e, 30), "set_remote_description", e); });
    };
    R.addCandidate = function(id, media, index, name) {
        var o = R.pcs.get(id);
        var c = name === "" ? {candidate: "", sdpMid: media, sdpMLineIndex: index}
                            : {candidate: name, sdpMid: media, sdpMLineIndex: index};
        o.pc.addIceCandidate(c).catch(function(e) {
            if (R.live(o)) R.error(id, R.code(e, 30), "add_ice_candidate", e);
        });
    };

    /* ---- channels ---- */
    R.dcCreate = function(pcId, ch, label, negotiated, id, rt, plt, ordered, protocol) {
        var o = R.pcs.get(pcId);
        var init = {ordered: !!ordered, protocol: protocol};
        if (negotiated) { init.negotiated = true; init.id = id; }
        if (rt >= 0) init.maxRetransmits = rt;
        if (plt >= 0) init.maxPacketLifeTime = plt;
        var dc;
        try { dc = o.pc.createDataChannel(label, init); } catch (e) { return e; }
        R.dcAttach(ch, dc, o);
        return null;
    };
    R.dcAttach = function(ch, dc, po) {
        var d = {dc: dc, pc: po};
        dc.binaryType = "arraybuffer";
        R.dcs.set(ch, d);
        var alive = function() { return R.dcs.get(ch) === d; };
        dc.onopen = function() { if (alive()) _emrtc__js_channel_state(ch, 1); };
        dc.onclosing = function() { if (alive()) _emrtc__js_channel_state(ch, 2); };
        dc.onclose = function() { if (alive()) _emrtc__js_channel_state(ch, 3); };
        dc.onbufferedamountlow = function() { if (alive()) _emrtc__js_buffered_low(ch); };
        dc.onerror = function(ev) {
            if (alive() && R.live(po)) R.error(po.id, 27, "data_channel " + dc.label, ev.error || ev);
        };
        dc.onmessage = function(ev) {
            if (!alive()) return;
            var m = ev.data;
            if (typeof m === "string") {
                /* at most 3 bytes per UTF-16 unit; count exactly only for big strings */
                var cap = m.length * 3;
                if (cap > 65536) cap = lengthBytesUTF8(m);
                var p = _emrtc__js_packet_reserve(ch, cap);
                if (!p) return; /* over the backlog limit: C counted the drop and reports it */
                var n = R.encode(m, p, cap);
                _emrtc__js_packet_commit(ch, n, 1);
            } else {
                var n = m.byteLength;
                var p = _emrtc__js_packet_reserve(ch, n);
                if (!p) return; /* over the backlog limit: C counted the drop and reports it */
                HEAPU8.set(new Uint8Array(m), p);
                _emrtc__js_packet_commit(ch, n, 0);
            }
        };
        if (dc.readyState !== "connecting") _emrtc__js_channel_state(ch, DC[dc.readyState]);
    };
    R.dcDestroy = function(ch) {
        var d = R.dcs.get(ch);
        if (!d) return;
        var dc = d.dc;
        dc.onopen = dc.onclosing = dc.onclose = dc.onbufferedamountlow = dc.onerror = dc.onmessage = null;
        R.dcs.delete(ch);
        dc.close();
        d.dc = d.pc = null;
    };
    /* the bytes to send, and m written as UTF-8 at ptr (room for cap bytes; returns the length),
       in place; the threaded library replaces both (emrtc_js_init_shared) */
    R.bytes = function(ptr, size) { return HEAPU8.subarray(ptr, ptr + size); };
    R.encode = function(m, ptr, cap) { return R.enc.encodeInto(m, HEAPU8.subarray(ptr, ptr + cap)).written; };
    R.send = function(ch, ptr, size, text) {
        var dc = R.dcs.get(ch).dc;
        var bytes = R.bytes(ptr, size);
        /* C checked the state and the size. Chromium throws OperationError once the send queue
           would pass 16 MiB (BUSY), InvalidStateError for a channel closed since (UNAVAILABLE) */
        try {
            if (text) dc.send(R.dec.decode(bytes));
            else dc.send(bytes);
        } catch (e) {
            var code = e.name === "OperationError" ? 44 : e.name === "InvalidStateError" ? 2 : R.code(e, 1);
            R.fail("put_packet: " + (code === 44 ? "the send queue is full (" + dc.bufferedAmount +
                   " bytes buffered)" : "the browser refused the packet") + ": " + e.name + ": " + e.message);
            return code;
        }
        return 0;
    };
    R.maxMessageSize = function(ch) {
        var d = R.dcs.get(ch);
        var sctp = d.pc.pc && d.pc.pc.sctp;
        if (!sctp || !sctp.maxMessageSize) return 65536;
        return Math.min(sctp.maxMessageSize, 0x7fffffff);
    };
    return R.check();
});

#ifdef __EMSCRIPTEN_PTHREADS__
/* Threaded library only: send() and TextDecoder refuse views of shared memory (a -pthread heap), and
   Chromium refuses encodeInto on it as well: the bytes are copied once into R.out, a plain buffer
   kept for the next message (it only grows, to at most twice the largest packet), and text is
   encoded there and copied in. The plain library sends from its unshared heap in place. */
EM_JS(void, emrtc_js_init_shared, (void), {
    var R = Module.emrtcJs;
    R.scratchOut = function(size) {
        if (!R.out || R.out.length < size) R.out = new Uint8Array(Math.max(size, R.out ? 2 * R.out.length : 4096));
    };
    R.bytes = function(ptr, size) {
        R.scratchOut(size);
        R.out.set(HEAPU8.subarray(ptr, ptr + size));
        return R.out.subarray(0, size);
    };
    R.encode = function(m, ptr, cap) {
        R.scratchOut(cap);
        var n = R.enc.encodeInto(m, R.out.subarray(0, cap)).written;
        HEAPU8.set(R.out.subarray(0, n), ptr);
        return n;
    };
});
/* the message when this library meets a program without shared memory (EMRTC_FAILED) */
EM_JS(void, emrtc_js_mismatch, (void), {
    var m = "emrtc: this program is built without -pthread but linked with libemrtc-mt.a (the threaded library); " +
            "link the plain libemrtc.a";
    console.error(m); Module.emrtcJs.fail(m);
});
#else
static void emrtc_js_init_shared(void) {}
/* the message when this library meets a -pthread program (shared memory; EMRTC_FAILED) */
EM_JS(void, emrtc_js_mismatch, (void), {
    var m = "emrtc: this program is built with -pthread (shared memory) but linked with the plain libemrtc.a; " +
            "link libemrtc-mt.a instead (npx emrtc --libs --threads; CMake picks it from -pthread)";
    console.error(m); Module.emrtcJs.fail(m);
});
#endif

EM_JS(int, emrtc_js_live_objects, (void), { return Module.emrtcJs ? Module.emrtcJs.pcs.size + Module.emrtcJs.dcs.size : 0; });
EM_JS(void, emrtc_js_cfg_server, (const char *username, const char *credential), {
    var R = Module.emrtcJs;
    if (!R.cfg) R.cfg = {iceServers: []};
    var s = {urls: []};
    if (username) s.username = UTF8ToString(username);
    if (credential) s.credential = UTF8ToString(credential);
    R.cfg.iceServers.push(s);
});
EM_JS(void, emrtc_js_cfg_policies, (int transport, int bundle, int pool), {
    var R = Module.emrtcJs;
    if (!R.cfg) R.cfg = {iceServers: []};
    if (transport) R.cfg.iceTransportPolicy = ["", "all", "relay"][transport];
    if (bundle) R.cfg.bundlePolicy = ["", "balanced", "max-compat", "max-bundle"][bundle];
    if (pool) R.cfg.iceCandidatePoolSize = pool;
});
EM_JS(void, emrtc_js_cfg_url, (const char *url), {
    var R = Module.emrtcJs;
    R.cfg.iceServers[R.cfg.iceServers.length - 1].urls.push(UTF8ToString(url));
});
/* returns 0, or an emrtc_error code with the message written by emrtc__js_fail */
EM_JS(int, emrtc_js_pc_create, (uint32_t id), {
    var e = Module.emrtcJs.pcCreate(id);
    if (!e) return 0;
    Module.emrtcJs.fail("RTCPeerConnection: " + e.name + ": " + e.message);
    return Module.emrtcJs.code(e, 1);
});
EM_JS(void, emrtc_js_pc_close, (uint32_t id), { Module.emrtcJs.pcClose(id); });
EM_JS(void, emrtc_js_restart_ice, (uint32_t id), { Module.emrtcJs.restartIce(id); });
EM_JS(void, emrtc_js_get_stats, (uint32_t id), { Module.emrtcJs.getStats(id); });
EM_JS(void, emrtc_js_pc_destroy, (uint32_t id), { Module.emrtcJs.pcDestroy(id); });
EM_JS(void, emrtc_js_create_offer, (uint32_t id), { Module.emrtcJs.createOffer(id); });
EM_JS(void, emrtc_js_set_local, (uint32_t id, int type, const char *sdp), {
    Module.emrtcJs.setLocal(id, type, UTF8ToString(sdp));
});
EM_JS(void, emrtc_js_set_remote, (uint32_t id, int type, const char *sdp), {
    Module.emrtcJs.setRemote(id, type, UTF8ToString(sdp));
});
EM_JS(void, emrtc_js_add_candidate, (uint32_t id, const char *media, int index, const char *name), {
    Module.emrtcJs.addCandidate(id, UTF8ToString(media), index, UTF8ToString(name));
});
EM_JS(int, emrtc_js_dc_create, (uint32_t pc, uint32_t ch, const char *label, int negotiated, int id, int rt, int plt,
                                int ordered, const char *protocol), {
    var R = Module.emrtcJs;
    var e = R.dcCreate(pc, ch, UTF8ToString(label), negotiated, id, rt, plt, ordered, UTF8ToString(protocol));
    if (!e) return 0;
    R.fail("create_data_channel: " + e.name + ": " + e.message);
    return e.name === "OperationError" ? 22 : R.code(e, 1);
});
EM_JS(void, emrtc_js_dc_close, (uint32_t ch), { Module.emrtcJs.dcs.get(ch).dc.close(); });
EM_JS(void, emrtc_js_dc_destroy, (uint32_t ch), { Module.emrtcJs.dcDestroy(ch); });
EM_JS(int, emrtc_js_dc_send, (uint32_t ch, const void *data, size_t size, int text), {
    return Module.emrtcJs.send(ch, data, size, text);
});
EM_JS(double, emrtc_js_dc_buffered, (uint32_t ch), { return Module.emrtcJs.dcs.get(ch).dc.bufferedAmount; });
EM_JS(void, emrtc_js_dc_set_low, (uint32_t ch, double threshold), {
    Module.emrtcJs.dcs.get(ch).dc.bufferedAmountLowThreshold = threshold;
});
EM_JS(int, emrtc_js_dc_id, (uint32_t ch), {
    var id = Module.emrtcJs.dcs.get(ch).dc.id;
    return id === null ? 65535 : id;
});
EM_JS(double, emrtc_js_dc_max_message_size, (uint32_t ch), { return Module.emrtcJs.maxMessageSize(ch); });

/* ---- JS -> C entry points (plain numbers and pointers) ---- */

static char *scratch;
static size_t scratch_cap;

EMSCRIPTEN_KEEPALIVE char *emrtc__js_scratch(size_t size) {
    if (size > scratch_cap) {
        char *n = _emrtc_grow(scratch, 0, size); /* contents need not survive */
        if (!n) return NULL;
        scratch = n;
        scratch_cap = size;
    }
    return scratch;
}

EMSCRIPTEN_KEEPALIVE void emrtc__js_fail(const char *message) {
    _emrtc_fail(EMRTC_FAILED, "%s", message ? message : "the browser refused (no memory for its message)");
}

EMSCRIPTEN_KEEPALIVE void emrtc__js_lost(uint32_t pc) { _emrtc_ext_lost((emrtc_peer){pc}); }

EMSCRIPTEN_KEEPALIVE void emrtc__js_sdp(uint32_t pc, const char *type, const char *sdp) {
    emrtc_ext_session_description((emrtc_peer){pc}, type, sdp);
}

EMSCRIPTEN_KEEPALIVE void emrtc__js_candidate(uint32_t pc, const char *media, int index, const char *name) {
    emrtc_ext_ice_candidate((emrtc_peer){pc}, media, index, name);
}

EMSCRIPTEN_KEEPALIVE void emrtc__js_state(uint32_t pc, int which, int state) {
    if (state < 0) return;
    if (which == 0) emrtc_ext_connection_state((emrtc_peer){pc}, (emrtc_connection_state)state);
    else if (which == 1) emrtc_ext_gathering_state((emrtc_peer){pc}, (emrtc_gathering_state)state);
    else emrtc_ext_signaling_state((emrtc_peer){pc}, (emrtc_signaling_state)state);
}

static void candidate_stats(emrtc_candidate_stats *c, int type, int protocol, int relay_protocol, int port,
                            const char *address) {
    c->type = (emrtc_candidate_type)type;
    c->protocol = (emrtc_ice_protocol)protocol;
    c->relay_protocol = (emrtc_ice_protocol)relay_protocol;
    c->port = (uint16_t)port;
    size_t n = strlen(address);
    if (n >= sizeof c->address) n = sizeof c->address - 1;
    memcpy(c->address, address, n);
    c->address[n] = 0;
}

EMSCRIPTEN_KEEPALIVE void emrtc__js_stats(uint32_t pc, double timestamp, double rtt, double total_rtt, double responses,
                                          double bitrate, double bytes_sent, double bytes_received, double packets_sent,
                                          double packets_received, int ltype, int lproto, int lrelay, int lport,
                                          const char *laddr, int rtype, int rproto, int rport, const char *raddr) {
    emrtc_peer_stats st = {
        .timestamp_ms = timestamp,
        .current_round_trip_time_ms = rtt,
        .total_round_trip_time_ms = total_rtt,
        .responses_received = (uint64_t)responses,
        .available_outgoing_bitrate = bitrate,
        .bytes_sent = (uint64_t)bytes_sent,
        .bytes_received = (uint64_t)bytes_received,
        .packets_sent = (uint64_t)packets_sent,
        .packets_received = (uint64_t)packets_received,
    };
    candidate_stats(&st.local, ltype, lproto, lrelay, lport, laddr);
    candidate_stats(&st.remote, rtype, rproto, 0, rport, raddr);
    emrtc_ext_stats((emrtc_peer){pc}, &st);
}

EMSCRIPTEN_KEEPALIVE void emrtc__js_error(uint32_t pc, int code, const char *message) {
    emrtc_ext_error((emrtc_peer){pc}, (emrtc_error)code, message);
}

EMSCRIPTEN_KEEPALIVE uint32_t emrtc__js_channel_received(uint32_t pc, const char *label, const char *protocol, int id,
                                                         int ordered, int rt, int plt) {
    emrtc_channel_options o = {0};
    o.protocol = protocol;
    o.unordered = !ordered;
    if (rt >= 0) o.has_max_retransmits = true, o.max_retransmits = (uint32_t)rt;
    if (plt >= 0) o.has_max_packet_life_time = true, o.max_packet_life_time = (uint32_t)plt;
    (void)id; /* in-band ids are read live: they can still change until the channel opens */
    return emrtc_ext_channel_received((emrtc_peer){pc}, label, &o).id;
}

EMSCRIPTEN_KEEPALIVE void emrtc__js_channel_state(uint32_t ch, int state) {
    emrtc_ext_channel_state((emrtc_channel){ch}, (emrtc_channel_state)state);
}

EMSCRIPTEN_KEEPALIVE void emrtc__js_buffered_low(uint32_t ch) { emrtc_ext_channel_buffered_amount_low((emrtc_channel){ch}); }

EMSCRIPTEN_KEEPALIVE uint8_t *emrtc__js_packet_reserve(uint32_t ch, size_t size) {
    return emrtc_ext_packet_reserve((emrtc_channel){ch}, size);
}

EMSCRIPTEN_KEEPALIVE void emrtc__js_packet_commit(uint32_t ch, size_t size, int is_text) {
    emrtc_ext_packet_commit((emrtc_channel){ch}, size, is_text != 0);
}

/* ---- the extension table ---- */

#ifdef __EMSCRIPTEN_PTHREADS__
#define EMRTC_THREADED_ 1
#else
#define EMRTC_THREADED_ 0
#endif

static emrtc_error browser_peer_create(emrtc_peer pc, const emrtc_configuration *config) {
    int mismatch = emrtc_js_init(EMRTC_THREADED_);
    if (mismatch) {
        emrtc_js_mismatch(); /* records the message */
        return (emrtc_error)mismatch;
    }
    emrtc_js_init_shared();
    if (config) {
        for (int i = 0; i < config->ice_server_count; i++) {
            const emrtc_ice_server *s = &config->ice_servers[i];
            emrtc_js_cfg_server(s->username, s->credential);
            for (int u = 0; u < EMRTC_MAX_ICE_URLS && s->urls[u]; u++) emrtc_js_cfg_url(s->urls[u]);
        }
        if (config->ice_transport_policy || config->bundle_policy || config->ice_candidate_pool_size)
            emrtc_js_cfg_policies((int)config->ice_transport_policy, (int)config->bundle_policy,
                                  config->ice_candidate_pool_size);
    }
    int err = emrtc_js_pc_create(pc.id);
    if (err) {
        return (emrtc_error)err; /* the JS glue recorded the message (emrtc__js_fail) */
    }
    return EMRTC_OK;
}

static void browser_peer_destroy(emrtc_peer pc) { emrtc_js_pc_destroy(pc.id); }

static emrtc_error browser_create_data_channel(emrtc_peer pc, emrtc_channel ch, const char *label,
                                               const emrtc_channel_options *o) {
    int err = emrtc_js_dc_create(pc.id, ch.id, label, o->negotiated, (int)o->id,
                                 o->has_max_retransmits ? (int)o->max_retransmits : -1,
                                 o->has_max_packet_life_time ? (int)o->max_packet_life_time : -1, !o->unordered,
                                 o->protocol ? o->protocol : "");
    if (err) {
        return (emrtc_error)err; /* the JS glue recorded the message (emrtc__js_fail) */
    }
    return EMRTC_OK;
}

static emrtc_error browser_create_offer(emrtc_peer pc) {
    emrtc_js_create_offer(pc.id);
    return EMRTC_OK;
}

static emrtc_error browser_set_local(emrtc_peer pc, const char *type, const char *sdp) {
    emrtc_js_set_local(pc.id, _emrtc_sdp_type_parse(type), sdp);
    return EMRTC_OK;
}

static emrtc_error browser_set_remote(emrtc_peer pc, const char *type, const char *sdp) {
    emrtc_js_set_remote(pc.id, _emrtc_sdp_type_parse(type), sdp);
    return EMRTC_OK;
}

static emrtc_error browser_add_candidate(emrtc_peer pc, const char *media, int index, const char *name) {
    emrtc_js_add_candidate(pc.id, media, index, name);
    return EMRTC_OK;
}

static void browser_peer_close(emrtc_peer pc) { emrtc_js_pc_close(pc.id); }

static emrtc_error browser_get_stats(emrtc_peer pc) {
    emrtc_js_get_stats(pc.id);
    return EMRTC_OK;
}

static emrtc_error browser_restart_ice(emrtc_peer pc) {
    emrtc_js_restart_ice(pc.id);
    return EMRTC_OK;
}
static void browser_peer_poll(emrtc_peer pc) { (void)pc; } /* the browser runs its own event loop */

static emrtc_error browser_send(emrtc_channel ch, const void *data, size_t size, bool is_text) {
    /* a refusal comes back with the browser's own exception recorded (emrtc__js_fail) */
    return (emrtc_error)emrtc_js_dc_send(ch.id, data, size, is_text);
}

static void browser_channel_close(emrtc_channel ch) { emrtc_js_dc_close(ch.id); }
static void browser_channel_destroy(emrtc_channel ch) { emrtc_js_dc_destroy(ch.id); }
static size_t browser_buffered(emrtc_channel ch) { return (size_t)emrtc_js_dc_buffered(ch.id); }
static void browser_set_low(emrtc_channel ch, size_t t) { emrtc_js_dc_set_low(ch.id, (double)t); }
static int browser_channel_id(emrtc_channel ch) { return emrtc_js_dc_id(ch.id); }
static size_t browser_max_message_size(emrtc_channel ch) { return (size_t)emrtc_js_dc_max_message_size(ch.id); }

const emrtc_extension _emrtc_builtin_extension = {
    .user_data = NULL,
    .peer_create = browser_peer_create,
    .peer_destroy = browser_peer_destroy,
    .peer_create_data_channel = browser_create_data_channel,
    .peer_create_offer = browser_create_offer,
    .peer_set_local_description = browser_set_local,
    .peer_set_remote_description = browser_set_remote,
    .peer_add_ice_candidate = browser_add_candidate,
    .peer_close = browser_peer_close,
    .peer_poll = browser_peer_poll,
    .peer_get_stats = browser_get_stats,
    .peer_restart_ice = browser_restart_ice,
    .channel_send = browser_send,
    .channel_close = browser_channel_close,
    .channel_destroy = browser_channel_destroy,
    .channel_get_buffered_amount = browser_buffered,
    .channel_set_buffered_amount_low_threshold = browser_set_low,
    .channel_get_id = browser_channel_id,
    .channel_get_max_message_size = browser_max_message_size,
};

int _emrtc_builtin_live_objects(void) { return emrtc_js_live_objects(); }

#endif /* __EMSCRIPTEN__ */
