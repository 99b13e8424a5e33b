import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../../../core/errors';
import { readJsonFile } from '../../../core/json';
import { lakehouseId } from '../../../core/paths';
import { tmpLake } from '../../helpers';

describe('reading the JSON files the lakehouse writes', () => {
  const dir = tmpLake();
  afterAll(() => dir.cleanup());
  const Schema = z.object({ rows: z.record(z.string(), z.array(z.number())) }).strict();

  it('names the file and the position of bad JSON, never the text around it', () => {
    const path = join(dir.root, 'torn.json');
    writeFileSync(path, '{"rows":{"M0000001":[1,2],"M0000002":[3,');
    const read = () => readJsonFile(path, Schema, 'online store file');
    expect(read).toThrow(DataError);
    expect(read).toThrow(new RegExp(`^online store file ${path} is not valid JSON( \\(at character \\d+\\))?$`));
  });

  it('names where a well-formed file is wrong, and what to do when given', () => {
    const path = join(dir.root, 'shape.json');
    writeFileSync(path, '{"rows":{"M0000001":["x"]}}');
    expect(() => readJsonFile(path, Schema, 'online store file', 'rebuild it')).toThrow(`online store file ${path} is invalid at rows.M0000001.0: invalid_type (rebuild it)`);
    writeFileSync(path, '{"rows":{"M0000001":[1]}}');
    expect(readJsonFile(path, Schema, 'online store file')).toEqual({ rows: { M0000001: [1] } });
  });

  it('gives a lakehouse one identity, kept from then on, and says what to do with a broken one', () => {
    const id = lakehouseId(dir.root);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lakehouseId(dir.root)).toBe(id);
    writeFileSync(join(dir.root, '_lakehouse.json'), '{"id":"nope"}');
    expect(() => lakehouseId(dir.root)).toThrow(`lakehouse identity file ${join(dir.root, '_lakehouse.json')} is invalid at id: invalid_format (delete it to make a new identity; models trained before then will need retraining)`);
  });
});
