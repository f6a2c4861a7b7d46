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

/**
 * Issue 17: two arms that meet at `join`, 3 instructions before it on the
 * short arm and 10 on the long one. At N = 12 the edge from the long arm into
 * `join` is pruned (8 + 5 > 12: no run through it halts in time), but `join`
 * is still a candidate at the same block step through the short arm. a = 1,
 * b = 1 takes the pruned edge: 15 steps, so it must have no witness at N = 12.
 */
export const LONG_JOIN = `
.public  a 0
.private b 1
.output  y 2
.output  z 3
        LOAD a
        JUMPI long      ; a != 0: the long arm
        JUMP join       ; a == 0: 3 instructions before join
long:   PUSH 1
        STORE z
        PUSH 1
        STORE z
        PUSH 1
        STORE z
        LOAD b
        JUMPI join      ; b != 0: join after 10 instructions
        STOP
join:   LOAD y
        PUSH 7
        ADD
        STORE y
        STOP
`;

/**
 * Issue 17 with nested counting loops (do-while: each loop's back edge is a
 * JUMPI). Block step 4 can be the inner body's first iteration of a second
 * outer pass (outer, inner, latch, outer, inner) or its fourth iteration of
 * the first (outer, inner x 4): at N = 50 the back edge inner -> inner at
 * block step 3 is pruned (26 + 12 + 21 > 50) while inner stays a candidate
 * at step 4 through outer. b = 4 runs the inner body 4 times: 59 steps.
 */
export const NESTED_DO_WHILE = `
.public  a 0
.private b 1
.output  y 2
.cell    i 3
.cell    j 4
outer:  PUSH 0
        STORE j
inner:  LOAD y
        PUSH 1
        ADD
        STORE y
        LOAD j
        PUSH 1
        ADD
        STORE j
        LOAD j
        LOAD b
        LT
        JUMPI inner     ; j < b: the inner body again
        LOAD i
        PUSH 1
        ADD
        STORE i
        LOAD i
        LOAD a
        LT
        JUMPI outer     ; i < a: the outer body again
        STOP
`;
