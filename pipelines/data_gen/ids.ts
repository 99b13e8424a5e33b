/** A club's place in the chain: its index and the number of clubs. */
export interface ChainPosition {
  club: number;
  clubs: number;
}

/**
 * Record numbers unique across the chain whatever club simulates them, and whichever thread:
 * club c's n-th number (n from 0) is n·clubs + c + 1, so clubs never need to agree on a counter.
 */
export class IdSequence {
  private n = 0;

  constructor(private readonly at: ChainPosition) {}

  next(): number {
    return this.n++ * this.at.clubs + this.at.club + 1;
  }
}
