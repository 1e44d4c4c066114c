// The benchmark's own Node-RED nodes, never shipped:
// - `bench-thin`, contestant B: the thinnest node that calls the SDK. It hands
//   msg.payload to the SDK as the request body and puts the answer back in
//   msg.payload; no checks, no queue, no status. What it costs is the floor
//   that Node-RED itself puts under any node of this kind.
// - `bench-sink`: the end of the flow; passes what arrives to the driver.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import OpenAI from 'openai';
import { deliver } from './sink-hub';

interface ThinDef extends NodeDef {
    endpoint: 'chat' | 'moderation';
    baseURL: string;
    apiKey: string;
}

export = function register(RED: NodeAPI): void {
    function BenchThinNode(this: Node, config: ThinDef) {
        RED.nodes.createNode(this, config);
        const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL });
        const create =
            config.endpoint === 'moderation'
                ? (body: never) => client.moderations.create(body)
                : (body: never) => client.chat.completions.create(body);
        this.on('input', (msg, send, done) => {
            create(msg.payload as never).then(
                (answer) => {
                    msg.payload = answer;
                    send(msg);
                    done();
                },
                (error: Error) => done(error),
            );
        });
    }

    function BenchSinkNode(this: Node, config: NodeDef) {
        RED.nodes.createNode(this, config);
        this.on('input', (msg, _send, done) => {
            deliver(this.id, msg);
            done();
        });
    }

    RED.nodes.registerType('bench-thin', BenchThinNode);
    RED.nodes.registerType('bench-sink', BenchSinkNode);
};
