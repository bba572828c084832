import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.ts';

describe('html', () => {
  it('escapes interpolated text but not nested templates', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<p>${name}</p>${html`<b>ok</b>`}`.value).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p><b>ok</b>',
    );
  });

  it('renders lists, numbers and skips null, undefined and false', () => {
    expect(html`${[1, html`<i>2</i>`, null, undefined, false, "'"]}`.value).toBe('1<i>2</i>&#39;');
  });

  it('never lets a tag or attribute break out', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"']/);
      }),
    );
  });
});
