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
