// Small statistics for the report: medians of rounds, and straight-line fits
// that show whether a cost grows linearly.

export function median(values: readonly number[]): number {
    if (values.length === 0) return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface LinearFit {
    slope: number;
    intercept: number;
    /** Coefficient of determination: 1 = the points lie on the line. */
    r2: number;
}

/** Least-squares line through (xs[i], ys[i]). */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
    const n = xs.length;
    const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
    const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
        sxy += (xs[i] - meanX) * (ys[i] - meanY);
        sxx += (xs[i] - meanX) ** 2;
        syy += (ys[i] - meanY) ** 2;
    }
    const slope = sxx === 0 ? 0 : sxy / sxx;
    const intercept = meanY - slope * meanX;
    const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
    return { slope, intercept, r2 };
}
