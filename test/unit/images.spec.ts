import { strict as assert } from 'node:assert';
import { imageTypeOf, MAX_IMAGES, readImageDetail, readImages, userContent, withImages } from '../../nodes/lib/images';
import { assertInputError } from '../support/assert-input-error';
import { dataUrl, IMAGES } from '../support/images';

const EXPECTED = /must be an http\(s\) URL, a data:image\/…;base64, URL or a Buffer of a PNG, JPEG, GIF or WebP image, got /;

describe('images', () => {
    it('reads nothing, null, an empty string and an empty list as no images', () => {
        for (const value of [undefined, null, '', []]) assert.deepEqual(readImages(value), [], String(value));
    });

    it('takes http(s) and data: URLs as they are', () => {
        const urls = ['https://example.com/cat.png', 'http://camera.local/snapshot?size=large', 'HTTPS://EXAMPLE.COM/A.JPG', dataUrl('png')];
        assert.deepEqual(readImages(urls), urls);
        assert.deepEqual(readImages(urls[0]), [urls[0]]);
    });

    it('writes a Buffer as a data: URL of the type its first bytes show', () => {
        for (const kind of ['png', 'jpeg', 'gif', 'webp'] as const) {
            assert.deepEqual(readImages(IMAGES[kind]), [dataUrl(kind)], kind);
        }
        assert.equal(imageTypeOf(Buffer.from('GIF87a and the rest')), 'image/gif');
    });

    it('reads a Buffer that went through JSON, {type: "Buffer", data}', () => {
        assert.deepEqual(readImages(JSON.parse(JSON.stringify(IMAGES.jpeg))), [dataUrl('jpeg')]);
    });

    it('keeps the order of a list of every kind', () => {
        const list = ['https://example.com/a.webp', IMAGES.gif, dataUrl('jpeg'), IMAGES.png];
        assert.deepEqual(readImages(list), ['https://example.com/a.webp', dataUrl('gif'), dataUrl('jpeg'), dataUrl('png')]);
    });

    it(`takes up to ${MAX_IMAGES} images and refuses more`, () => {
        assert.equal(readImages(Array.from({ length: MAX_IMAGES }, () => IMAGES.png)).length, MAX_IMAGES);
        assertInputError(() => readImages(Array.from({ length: MAX_IMAGES + 1 }, () => IMAGES.png)), 'images', /^images must hold at most 16 images, got 17$/);
    });

    describe('refuses, naming the element', () => {
        const cases: [string, unknown, string, RegExp][] = [
            ['a number', 42, 'images', /got number$/],
            ['an object', { url: 'https://example.com/a.png' }, 'images', /got object$/],
            ['a file name', 'cat.png', 'images', /got a string that is no http\(s\) or data: URL$/],
            ['an http URL that does not parse', 'http://exa mple.com:port/a.png', 'images', /got an http\(s\) URL that is not valid$/],
            ['a data: URL of another type', 'data:image/svg+xml;base64,PHN2Zz4=', 'images', /got a data: URL that is not a base64 PNG, JPEG, GIF or WebP image$/],
            ['a data: URL that is not base64', 'data:image/png,rawbytes', 'images', /got a data: URL that is not a base64/],
            ['a data: URL with characters base64 has not', 'data:image/png;base64,iVBOR w0K', 'images', /got a data: URL that is not a base64/],
            ['a data: URL with nothing after the comma', 'data:image/png;base64,', 'images', /got a data: URL that is not a base64/],
            ['a Buffer of text', Buffer.from('hello'), 'images', /got a buffer of none of these types$/],
            ['an empty Buffer', Buffer.alloc(0), 'images', /got an empty buffer$/],
            ['a PDF Buffer', Buffer.from('%PDF-1.7'), 'images', /got a buffer of none of these types$/],
            ['a RIFF file that is not WebP', Buffer.from('RIFF\u0024\u0000\u0000\u0000WAVEfmt '), 'images', /got a buffer of none of these types$/],
            ['a JSON Buffer whose data is not bytes', { type: 'Buffer', data: [137, 80, 300] }, 'images', /got an object of type Buffer whose data is not a list of bytes$/],
            ['the second element of a list', ['https://example.com/a.png', true], 'images[1]', /got boolean$/],
            ['an empty string in a list', [IMAGES.png, ''], 'images[1]', /got an empty string$/],
            ['null in a list', [null], 'images[0]', /got null$/],
            ['a list in a list', [[IMAGES.png]], 'images[0]', /got array$/],
        ];
        for (const [name, value, field, detail] of cases) {
            it(name, () => {
                assertInputError(() => readImages(value), field, EXPECTED);
                assertInputError(() => readImages(value), field, detail);
            });
        }

        it('an element whose getter throws', () => {
            const list = [IMAGES.png];
            Object.defineProperty(list, 1, { enumerable: true, get: () => { throw new Error('the camera is gone'); } });
            assertInputError(() => readImages(list), 'images[1]', /^images\[1\] could not be read: the camera is gone$/);
        });

        it('never repeats the value', () => {
            assert.throws(() => readImages('my-secret-file.png'), (error: Error) => !error.message.includes('secret'));
        });
    });

    it('reads imageDetail: auto, low or high, empty = not sent', () => {
        assert.equal(readImageDetail(''), undefined);
        assert.equal(readImageDetail(undefined), undefined);
        for (const detail of ['auto', 'low', 'high']) assert.equal(readImageDetail(detail), detail);
        assertInputError(() => readImageDetail('ultra'), 'imageDetail', /^imageDetail must be auto, low or high, got another word$/);
        assertInputError(() => readImageDetail(2), 'imageDetail', /got number$/);
    });

    it('builds the user content: the text alone, or the text then one part per image', () => {
        assert.equal(userContent('Hi', []), 'Hi');
        assert.equal(userContent(undefined, []), undefined);
        assert.deepEqual(userContent('What is it?', ['https://example.com/a.png', dataUrl('png')], 'low'), [
            { type: 'text', text: 'What is it?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: dataUrl('png'), detail: 'low' } },
        ]);
        assert.deepEqual(withImages('', ['https://example.com/a.png']), [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }]);
    });

    it('writes a 5 MB Buffer as its data: URL, the parts holding that one string', () => {
        const large = Buffer.concat([IMAGES.jpeg, Buffer.alloc(5 * 1024 * 1024, 7)]);
        const [url] = readImages(large);
        assert.equal(url.length, 'data:image/jpeg;base64,'.length + Math.ceil(large.length / 3) * 4);
        const [part] = withImages(undefined, [url]);
        assert.equal(part.type === 'image_url' && part.image_url.url, url);
    });
});
