import type { NodeAPI, NodeDef } from 'node-red';
import { buildModerationRequest, formatModeration, type ModerationListResult, type ModerationRequest, type ModerationResult } from './lib/moderation';
import { handleRequests, type RequestNodeConfig } from './runtime/request-node';
import { propertyReader, readInputs, whenReady } from './runtime/typed-input';

interface ModerateDef extends NodeDef, RequestNodeConfig {
    text: string;
    textType: string;
    model: string;
    modelType: string;
    /** Added in 0.2: missing = no images. */
    images?: string;
    imagesType?: string;
}

/** `openai-moderate`: classifies a text (or a list of texts), or a text with images, with the moderation API. */
export = function register(RED: NodeAPI): void {
    function OpenAIModerateNode(this: import('node-red').Node, config: ModerateDef) {
        RED.nodes.createNode(this, config);
        const readers = [
            ['text', propertyReader(RED, this, 'text', config.text, config.textType)],
            ['model', propertyReader(RED, this, 'model', config.model, config.modelType)],
            ['images', propertyReader(RED, this, 'images', config.images, config.imagesType, 'msg')],
        ] as const;

        handleRequests<ModerationRequest, ModerationResult | ModerationListResult>(RED, this, config, {
            prepare(msg) {
                return whenReady(readInputs(readers, msg), buildModerationRequest);
            },
            async call(client, request, { signal, paced }) {
                return formatModeration(request, await paced(() => client.moderations.create(request.params, { signal }), request.params));
            },
            doneStatus(payload) {
                // For a list, `flagged` is already true when any text is.
                return { key: payload.flagged ? 'flagged' : 'ok' };
            },
        });
    }

    RED.nodes.registerType('openai-moderate', OpenAIModerateNode);
};
