// The official svix package's signer, as a filter for phonenorm's
// webhook_signatures test: an implementation of the signing scheme that
// phonenorm's code had no part in.
//
// Reads JSON lines {"secret", "id", "timestamp", "body"} on standard input
// (secret: "whsec_..." or an array of them, a rotation; timestamp: Unix
// seconds; body: the raw body as a string) and prints, for each, one line:
// the svix-signature header value, made with
//   new Webhook(secret).sign(id, new Date(timestamp * 1000), body)
// (several secrets: their entries separated by spaces, as svix sends them).
// A line it cannot sign: a message on standard error, exit status 1.
"use strict";

const readline = require("readline");
const { Webhook } = require("svix");

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
	if (line.trim() === "")
		return;
	try {
		const req = JSON.parse(line);
		const secrets = Array.isArray(req.secret) ? req.secret : [req.secret];
		const when = new Date(Number(req.timestamp) * 1000);
		const sigs = secrets.map((s) => new Webhook(s).sign(String(req.id), when, String(req.body)));
		process.stdout.write(sigs.join(" ") + "\n");
	} catch (e) {
		process.stderr.write("sign.js: cannot sign: " + e.message + "\n");
		process.exit(1);
	}
});
