import { describe, expect, it } from 'vitest';
import { TouchLog } from '../../src/matching/touch-log.ts';

describe('the touch log', () => {
  it('names the ids touched after a mark, and those still being read that were touched before it', () => {
    const log = new TouchLog();
    log.touch(['before'])();
    const reading = log.touch(['in-flight']);
    const mark = log.begin();
    log.touch(['after'])();
    expect([...log.since(mark)].sort()).toEqual(['after', 'in-flight']);
    reading();
    expect([...log.since(mark)]).toEqual(['after']);
    log.end(mark);
    const later = log.begin();
    expect([...log.since(later)]).toEqual([]);
  });

  it('keeps nothing once no mark is open and every read is applied', () => {
    const log = new TouchLog();
    const mark = log.begin();
    for (let i = 0; i < 100; i++) log.touch([`id-${i}`])();
    log.end(mark);
    expect((log as unknown as { entries: unknown[] }).entries).toEqual([]);
  });

  it('tells a reader which of its ids a later reader or writer touched and already applied', () => {
    const log = new TouchLog();
    const early = log.touch(['a']);
    const read = log.read(['a', 'b', 'c']);
    early();
    expect([...read.newer()]).toEqual([]);
    const later = log.read(['b']);
    const stillReading = log.touch(['e']);
    expect([...read.newer()]).toEqual([]);
    later.done();
    log.touch(['c', 'd'])();
    expect([...read.newer()].sort()).toEqual(['b', 'c', 'd']);
    expect([...later.newer()].sort()).toEqual(['c', 'd']);
    stillReading();
    expect([...read.newer()].sort()).toEqual(['b', 'c', 'd', 'e']);
    read.done();
    expect((log as unknown as { entries: unknown[] }).entries).toEqual([]);
  });
});
