// A small line-chart writer: panels in a grid, one line per series, plain SVG
// text with no library, so the committed chart is reproducible and reviewable.

export interface Series {
    name: string;
    color: string;
    /** One value per x label; NaN leaves a gap. */
    values: number[];
}

export interface Panel {
    title: string;
    xLabels: string[];
    series: Series[];
}

export interface ChartSpec {
    title: string;
    subtitle?: string;
    xTitle: string;
    yTitle: string;
    panels: Panel[];
    columns: number;
}

const PANEL_WIDTH = 380;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 64, right: 20, top: 36, bottom: 46 };
const HEADER = 78;

export function lineChartSvg(spec: ChartSpec): string {
    const rows = Math.ceil(spec.panels.length / spec.columns);
    const width = spec.columns * PANEL_WIDTH;
    const height = HEADER + rows * PANEL_HEIGHT + 10;
    const parts: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
            'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
        text(width / 2, 22, spec.title, { size: 16, anchor: 'middle', weight: 'bold' }),
    ];
    if (spec.subtitle) parts.push(text(width / 2, 40, spec.subtitle, { anchor: 'middle', color: '#555555' }));
    parts.push(legend(spec.panels[0]?.series ?? [], width / 2, 60));
    spec.panels.forEach((panel, index) => {
        const x = (index % spec.columns) * PANEL_WIDTH;
        const y = HEADER + Math.floor(index / spec.columns) * PANEL_HEIGHT;
        parts.push(drawPanel(panel, x, y, spec));
    });
    parts.push('</svg>');
    return parts.join('\n') + '\n';
}

function drawPanel(panel: Panel, left: number, top: number, spec: ChartSpec): string {
    const plotLeft = left + MARGIN.left;
    const plotTop = top + MARGIN.top;
    const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
    const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
    const values = panel.series.flatMap((series) => series.values).filter(Number.isFinite);
    const ticks = niceTicks(Math.max(1, ...values));
    const yMax = ticks[ticks.length - 1];
    // The x labels are spaced evenly: concurrencies 1, 16, 128 are steps of a log scale.
    const xAt = (index: number) => plotLeft + (panel.xLabels.length === 1 ? plotWidth / 2 : (index / (panel.xLabels.length - 1)) * plotWidth);
    const yAt = (value: number) => plotTop + plotHeight - (value / yMax) * plotHeight;

    const parts: string[] = [text(left + PANEL_WIDTH / 2, top + 20, panel.title, { anchor: 'middle', weight: 'bold', size: 13 })];
    for (const tick of ticks) {
        const y = yAt(tick);
        parts.push(`<line x1="${plotLeft}" y1="${y}" x2="${plotLeft + plotWidth}" y2="${y}" stroke="#e3e3e3"/>`);
        parts.push(text(plotLeft - 6, y + 4, formatTick(tick), { anchor: 'end', color: '#555555' }));
    }
    parts.push(`<line x1="${plotLeft}" y1="${plotTop + plotHeight}" x2="${plotLeft + plotWidth}" y2="${plotTop + plotHeight}" stroke="#888888"/>`);
    panel.xLabels.forEach((label, index) => {
        parts.push(text(xAt(index), plotTop + plotHeight + 16, label, { anchor: 'middle', color: '#555555' }));
    });
    parts.push(text(plotLeft + plotWidth / 2, plotTop + plotHeight + 36, spec.xTitle, { anchor: 'middle' }));
    const yTitleX = left + 14;
    const yTitleY = plotTop + plotHeight / 2;
    parts.push(
        `<text x="${yTitleX}" y="${yTitleY}" text-anchor="middle" transform="rotate(-90 ${yTitleX} ${yTitleY})">${escape(spec.yTitle)}</text>`,
    );

    for (const series of panel.series) {
        const points = series.values
            .map((value, index) => (Number.isFinite(value) ? `${round(xAt(index))},${round(yAt(value))}` : undefined))
            .filter((point): point is string => point !== undefined);
        parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${points.join(' ')}"/>`);
        for (const point of points) {
            const [x, y] = point.split(',');
            parts.push(`<circle cx="${x}" cy="${y}" r="3.5" fill="${series.color}"/>`);
        }
    }
    return parts.join('\n');
}

function legend(series: Series[], centre: number, y: number): string {
    const itemWidth = 230;
    const start = centre - (series.length * itemWidth) / 2;
    return series
        .map((entry, index) => {
            const x = start + index * itemWidth;
            return (
                `<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${entry.color}" stroke-width="3"/>` +
                text(x + 28, y, entry.name, {})
            );
        })
        .join('\n');
}

/** Round tick values from 0 to at least `max`: 1, 2 or 5 times a power of ten apart. */
export function niceTicks(max: number, count = 5): number[] {
    const rough = max / count;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
    const ticks: number[] = [];
    for (let value = 0; value < max + step; value += step) {
        ticks.push(value);
        if (value >= max) break;
    }
    return ticks;
}

function formatTick(value: number): string {
    return value >= 1000 ? `${value / 1000}k` : String(value);
}

function round(value: number): number {
    return Math.round(value * 10) / 10;
}

interface TextStyle {
    size?: number;
    anchor?: 'start' | 'middle' | 'end';
    weight?: 'bold';
    color?: string;
}

function text(x: number, y: number, content: string, style: TextStyle): string {
    const attributes = [`x="${round(x)}"`, `y="${round(y)}"`];
    if (style.size) attributes.push(`font-size="${style.size}"`);
    if (style.anchor) attributes.push(`text-anchor="${style.anchor}"`);
    if (style.weight) attributes.push(`font-weight="${style.weight}"`);
    if (style.color) attributes.push(`fill="${style.color}"`);
    return `<text ${attributes.join(' ')}>${escape(content)}</text>`;
}

function escape(content: string): string {
    return content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
