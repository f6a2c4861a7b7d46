/** Programs of a particular shape that several test files exercise. */

/**
 * A loop whose iterations take one of two arms of different lengths (11 or 15
 * steps; three iterations and STOP take 34 to 46 steps), so that below 46 the
 * circuit needs its explicit step counter. With a = 0 every iteration takes
 * the short arm; a != 0 takes the long arm once, which clears a.
 */
export const TWO_ARMS = `
.public a 0
.output y 1
top: LOAD a
  JUMPI long
  JUMP join
long: PUSH 0
  STORE a
  PUSH 0
  STORE a
  JUMP join
join: LOAD y
  PUSH 1
  ADD
  STORE y
  LOAD y
  PUSH 3
  LT
  JUMPI top
  STOP
`;

/**
 * A counting loop with an early exit: the run that leaves through `out` never
 * reaches the exit test i == n, so nothing pins n below 2^64 on that path and
 * n's range check cannot be left to the loop exit.
 */
export const BREAK_LOOP = `
.public  n 0
.private c 1
.output  s 2
.cell    i 3
loop:   LOAD i
        LOAD n
        LT              ; i < n (faults if n >= 2^64)
        JUMPI body
        STOP
body:   LOAD c
        JUMPI out       ; c != 0: leave early
        LOAD s
        LOAD i
        ADD
        STORE s
        LOAD i
        PUSH 1
        ADD
        STORE i
        JUMP loop
out:    STOP
`;
