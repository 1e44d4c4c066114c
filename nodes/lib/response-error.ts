/** The API answered, but not with what the node needs (a missing field, content that does not parse). */
export class ResponseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ResponseError';
    }
}
