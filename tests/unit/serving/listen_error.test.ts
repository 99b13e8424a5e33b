import { ConflictError, ValidationError } from '../../../core/errors';
import { listenError } from '../../../serving/server';

const errno = (code: string) => Object.assign(new Error(code), { code }) as NodeJS.ErrnoException;

describe('listen errors', () => {
  const at = { host: '127.0.0.1', port: 80 };

  it('say what is wrong with the address and what to do', () => {
    const taken = listenError(errno('EADDRINUSE'), at);
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken.message).toBe('127.0.0.1:80 is already in use (another fitlake serve?): stop it, or choose another port with --port or PORT');
    expect(listenError(errno('EACCES'), at)).toMatchObject({ field: 'port', message: 'not allowed to listen on 127.0.0.1:80 (ports below 1024 need privileges): choose another with --port or PORT' });
    const nowhere = listenError(errno('EADDRNOTAVAIL'), { host: '192.0.2.1', port: 3000 });
    expect(nowhere).toBeInstanceOf(ValidationError);
    expect(nowhere).toMatchObject({ field: 'host', message: 'cannot listen on 192.0.2.1:3000: no such address on this machine (--host or FITLAKE_HOST)' });
  });

  it('passes any other error through', () => {
    const other = errno('EMFILE');
    expect(listenError(other, at)).toBe(other);
  });
});
