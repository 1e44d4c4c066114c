/**
 * The saved config of each request node as the editor writes it for a new
 * node: every TypedInput with its default. Tests spread their changes on top.
 */
export const CHAT_DEFAULTS = {
    type: 'openai-chat',
    model: 'gpt-4.1-mini',
    modelType: 'str',
    responseFormat: 'text',
    systemPrompt: '',
    systemPromptType: 'str',
    userMessage: 'payload',
    userMessageType: 'msg',
    history: 'payload.history',
    historyType: 'msg',
    frequencyPenalty: '',
    frequencyPenaltyType: 'num',
    maxTokens: '',
    maxTokensType: 'num',
    responseCount: '',
    responseCountType: 'num',
    presencePenalty: '',
    presencePenaltyType: 'num',
    temperature: '',
    temperatureType: 'num',
    topP: '',
    topPType: 'num',
    jsonSchema: '',
    jsonSchemaType: 'json',
    reasoningEffort: '',
    reasoningEffortType: 'str',
    tools: '',
    toolsType: 'json',
    toolChoice: '',
    toolChoiceType: 'str',
    images: '',
    imagesType: 'msg',
    imageDetail: '',
};

/** A chat node as 0.1 saved it: none of the properties added since. */
export const CHAT_0_1 = Object.fromEntries(
    Object.entries(CHAT_DEFAULTS).filter(([key]) => !/^(jsonSchema|reasoningEffort|tools|toolChoice|images|imageDetail)(Type)?$/.test(key)),
) as Record<string, string>;

export const MODERATE_DEFAULTS = {
    type: 'openai-moderate',
    text: 'payload',
    textType: 'msg',
    model: '',
    modelType: 'str',
    images: '',
    imagesType: 'msg',
};

/** A moderate node as 0.1 saved it: without images. */
export const MODERATE_0_1 = Object.fromEntries(Object.entries(MODERATE_DEFAULTS).filter(([key]) => !key.startsWith('images'))) as Record<string, string>;
