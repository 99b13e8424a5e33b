import { join } from 'node:path';

/** Every location under the lakehouse root, in one place. */
export function lakePaths(root: string) {
  return {
    root,
    landing: join(root, 'landing'),
    truth: join(root, '_truth'),
    bronze: join(root, 'bronze'),
    bronzeLog: join(root, 'bronze', '_log'),
    bronzeStaging: join(root, 'bronze', '_staging'),
    bronzeQuarantine: join(root, 'bronze', '_quarantine'),
    silver: join(root, 'silver'),
    gold: join(root, 'gold'),
  };
}
export type LakePaths = ReturnType<typeof lakePaths>;
