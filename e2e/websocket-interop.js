// WebSocket interop with an independent client: the `ws` library for Node.js, which offers
// permessage-deflate (RFC 7692) as browsers do. Run by e2e/websocket-interop against the sample's
// /ws/echo (Spring's WebSocketHandler). Prints PASS or FAIL per check; exits 1 on a failure.
//
//   node e2e/websocket-interop.js ws://127.0.0.1:8080/ws/echo
'use strict';
const WebSocket = require('ws');

const url = process.argv[2];
const big = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'starlet', tags: ['http', 'ws'] })));
const binary = Buffer.alloc(50000, 7);
let failed = false;
function check(what, ok) {
	console.log((ok ? 'PASS ' : 'FAIL ') + what);
	if (!ok) {
		failed = true;
	}
}

// threshold 0: the client compresses every message, however small
const ws = new WebSocket(url, { perMessageDeflate: { threshold: 0 } });
let offered = null;
let firstByteOfBigEcho = null;
let step = 0;
ws.on('upgrade', (response) => {
	offered = response.headers['sec-websocket-extensions'];
});
ws.on('open', () => {
	check('permessage-deflate negotiated: ' + offered,
		offered === 'permessage-deflate; server_no_context_takeover; client_no_context_takeover');
	// the first bytes the server sends back start the big message's frame: RSV1 says it is compressed
	// prepended: ws's own listener may deliver the message before a listener added after it runs
	ws._socket.prependOnceListener('data', (chunk) => { firstByteOfBigEcho = chunk[0]; });
	ws.send(big);
});
ws.on('message', (data, isBinary) => {
	step++;
	if (step === 1) {
		check('a ' + big.length + '-byte text message comes back whole', !isBinary && data.toString() === big);
		check('the server sent it compressed (first byte 0x' + (firstByteOfBigEcho || 0).toString(16) + ')',
			firstByteOfBigEcho !== null && (firstByteOfBigEcho & 0x40) !== 0);
		ws.send('small');
	}
	else if (step === 2) {
		check('a small compressed text message comes back whole', !isBinary && data.toString() === 'small');
		ws.send(binary);
	}
	else {
		check('a 50,000-byte binary message comes back whole', isBinary && Buffer.compare(data, binary) === 0);
		ws.close(1000, 'done');
	}
});
ws.on('close', (code) => {
	check('closed with 1000 (got ' + code + ')', code === 1000);
	process.exit(failed ? 1 : 0);
});
ws.on('error', (error) => {
	check('no error (' + error.message + ')', false);
	process.exit(1);
});
setTimeout(() => {
	check('done within 30 s', false);
	process.exit(1);
}, 30000);
