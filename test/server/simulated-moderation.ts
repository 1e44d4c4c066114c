// Deterministic moderation. A small table of trigger words decides which
// categories score high; every other score is tiny. All scores are pure
// functions of the text, so a test can predict the whole result.

/** The categories of the current moderation API, in the API's order. */
export const MODERATION_CATEGORIES = [
    'hate',
    'hate/threatening',
    'harassment',
    'harassment/threatening',
    'illicit',
    'illicit/violent',
    'self-harm',
    'self-harm/intent',
    'self-harm/instructions',
    'sexual',
    'sexual/minors',
    'violence',
    'violence/graphic',
] as const;

export type ModerationCategory = (typeof MODERATION_CATEGORIES)[number];

/**
 * Words that make a category score high. A trigger matches at the start of a
 * word, so "kill" matches "killing" but not "skill"; case does not matter.
 */
export const MODERATION_TRIGGERS: Readonly<Record<ModerationCategory, readonly string[]>> = {
    hate: ['hate', 'racist', 'bigot'],
    'hate/threatening': ['exterminate'],
    harassment: ['idiot', 'moron', 'loser'],
    'harassment/threatening': ['threaten', 'hunt you down'],
    illicit: ['steal', 'shoplift', 'counterfeit'],
    'illicit/violent': ['bomb', 'explosive'],
    'self-harm': ['suicide', 'self-harm'],
    'self-harm/intent': ['kill myself', 'end my life'],
    'self-harm/instructions': ['overdose'],
    sexual: ['porn', 'nude', 'explicit sex'],
    // Deliberately without triggers: nothing a test needs should read like this.
    'sexual/minors': [],
    violence: ['kill', 'attack', 'murder', 'stab'],
    'violence/graphic': ['gore', 'gory', 'mutilat'],
};

/** A category is flagged when its score is above this. */
export const FLAG_THRESHOLD = 0.5;

/** Categories for which the API also looks at images. */
const IMAGE_CATEGORIES: ReadonlySet<ModerationCategory> = new Set([
    'self-harm',
    'self-harm/intent',
    'self-harm/instructions',
    'sexual',
    'violence',
    'violence/graphic',
]);

const TRIGGER_PATTERNS = Object.fromEntries(
    MODERATION_CATEGORIES.map((category) => [
        category,
        MODERATION_TRIGGERS[category].map((word) => new RegExp(`\\b${escapeRegExp(word)}`, 'i')),
    ]),
) as Record<ModerationCategory, RegExp[]>;

const BUCKETS = 1000;

export type CategoryRecord<T> = Record<ModerationCategory, T>;

export interface ModerationResult {
    flagged: boolean;
    categories: CategoryRecord<boolean>;
    category_scores: CategoryRecord<number>;
    category_applied_input_types: CategoryRecord<Array<'text' | 'image'>>;
}

/** What one moderation result looked at: some text, and maybe images. */
export interface ModerationInput {
    text: string;
    hasText?: boolean;
    hasImage?: boolean;
}

/**
 * Scores in [0, 1]: between 0.85 and 0.99 for a category one of its triggers
 * matches, at most 0.01 otherwise. Within one text no two categories ever tie, and a
 * different text orders the low scores differently.
 */
export function moderationScores(text: string): CategoryRecord<number> {
    return mapCategories((category, index) => {
        const triggered = TRIGGER_PATTERNS[category].some((pattern) => pattern.test(text));
        const [base, spread] = triggered ? [0.85, 0.14] : [0, 0.01];
        // The category's index breaks ties between equal hash buckets.
        const bucket = fnv1a(`${category}\n${text}`) % BUCKETS;
        const unit = (bucket * MODERATION_CATEGORIES.length + index + 1) / (BUCKETS * MODERATION_CATEGORIES.length);
        return base + spread * unit;
    });
}

/** The moderation result for a text, as the API returns it (images count as seen but harmless). */
export function moderationResult(input: string | ModerationInput): ModerationResult {
    const { text, hasText = true, hasImage = false } = typeof input === 'string' ? { text: input } : input;
    const scores = moderationScores(text);
    const categories = mapCategories((category) => scores[category] > FLAG_THRESHOLD);
    return {
        flagged: Object.values(categories).some(Boolean),
        categories,
        category_scores: scores,
        category_applied_input_types: mapCategories((category) => [
            ...(hasText ? ['text' as const] : []),
            ...(hasImage && IMAGE_CATEGORIES.has(category) ? ['image' as const] : []),
        ]),
    };
}

function mapCategories<T>(value: (category: ModerationCategory, index: number) => T): CategoryRecord<T> {
    const entries = MODERATION_CATEGORIES.map((category, index) => [category, value(category, index)]);
    return Object.fromEntries(entries) as CategoryRecord<T>;
}

/** 32-bit FNV-1a: a tiny, well-known hash that spreads similar texts apart. */
function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193);
    }
    return hash >>> 0;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
