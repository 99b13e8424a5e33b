import { DataError } from '../../../core/errors';
import { parseArtifact } from '../../../training/loaders';

const forecast = { kind: 'forecast', formatVersion: 1, lastWeek: '2025-12-22', horizon: 8, series: [], dataVersion: 'x', trainedThrough: '2025-12-29' };

describe('parseArtifact', () => {
  it('accepts a valid artifact of the expected kind', () => {
    expect(parseArtifact(JSON.stringify(forecast), 'f v1', 'forecast').kind).toBe('forecast');
  });

  it.each([
    ['{oops', /f v1: not JSON/],
    [JSON.stringify({ ...forecast, horizon: 'eight' }), /f v1: not a valid model artifact: horizon:/],
    [JSON.stringify({ ...forecast, extra: 1 }), /f v1: not a valid model artifact/],
    [JSON.stringify({ kind: 'mystery' }), /f v1: not a valid model artifact/],
  ])('refuses %s naming where and what', (json, message) => {
    expect(() => parseArtifact(json, 'f v1')).toThrow(message);
    expect(() => parseArtifact(json, 'f v1')).toThrow(DataError);
  });

  it('refuses an artifact of another kind', () => {
    expect(() => parseArtifact(JSON.stringify(forecast), 'm v2', 'churn')).toThrow('m v2: expected a churn model, found forecast');
  });
});
