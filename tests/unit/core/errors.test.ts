import { storageError } from '../../../core/errors';

const osError = (code: string, syscall: string, path: string) => Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

describe('storageError', () => {
  it('says what the disk refused, where, and what to do; a temp file by its folder', () => {
    expect(storageError(osError('EACCES', 'open', '/lake/bronze/._ingest.lock.12.1.tmp'))?.message).toBe(
      'cannot write to /lake/bronze: permission denied (the lakehouse must be writable by this user: fix its owner or permissions, or point --lakehouse (FITLAKE_LAKEHOUSE) at a writable copy)',
    );
    expect(storageError(osError('EROFS', 'mkdir', '/lake/silver'))?.message).toMatch(/^cannot create \/lake\/silver: read-only file system \(/);
    const full = storageError(osError('ENOSPC', 'write', '/lake/gold/t/data-3.parquet'))!;
    expect([full.exitCode, full.message]).toEqual([12, 'cannot write /lake/gold/t/data-3.parquet: no space left on device (free some space (old runs under mlruns/, quality/runs/) and run it again)']);
  });

  it('leaves every other error to the caller', () => {
    expect(storageError(osError('ENOENT', 'open', '/x'))).toBeUndefined();
    expect(storageError(new Error('plain'))).toBeUndefined();
  });
});
