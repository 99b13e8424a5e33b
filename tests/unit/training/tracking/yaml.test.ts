import { parseYaml, toYaml } from '../../../../training/tracking/yaml';

describe('meta.yaml subset', () => {
  it('round-trips scalars, quoted digit strings, empty lists and one level of maps, keys sorted', () => {
    const doc = { name: 'churn', experiment_id: '474074347498949144', start_time: 1795457500602, end_time: null, tags: [] as [], aliases: { champion: '3' }, run_name: "it's: odd", source_name: '' };
    const text = toYaml(doc);
    expect(text.split('\n')[0]).toBe("aliases:");
    expect(text).toContain("experiment_id: '474074347498949144'");
    expect(text).toContain("run_name: 'it''s: odd'");
    expect(parseYaml(text)).toEqual(doc);
  });

  it('reads what MLflow itself writes', () => {
    const mlflow = "aliases:\n  champion: '1'\ncreation_timestamp: 1795457500619\ndescription: null\nname: churn\nworkspace: default\n";
    expect(parseYaml(mlflow)).toEqual({ aliases: { champion: '1' }, creation_timestamp: 1795457500619, description: null, name: 'churn', workspace: 'default' });
  });
});
