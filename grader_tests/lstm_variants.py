"""Wrong (and right) LSTM computations, to name a student's mistake in lessons 02 and 03.

`step` computes one LSTM step with switches for the typical mistakes; with its defaults it
is a type-1 (standard) LSTM and with `TYPE2` it is the type 2 of lesson 03. `sequence`
runs a step over time with the typical loop mistakes. The hidden tests compare a student's
wrong result with these arrays; the correct answers always come from the solution notebook.
"""

import numpy as np

from grader_tests.grading import expect_finite, expect_match, expect_results, random_sizes
from grader_tests.layer_checks import expect_keys
from rnnlab import sigmoid
from rnnlab.params import lstm_params
from rnnlab.testing import CheckFailed, expect_unchanged

GATES = ("f", "i", "o", "g")
KEYS = (*GATES, "c", "h")

# The settings of `step` for each LSTM type (without mistakes).
TYPE1 = {"gates_read": "h", "candidate_reads": "h", "output": "o*tanh(c)"}
TYPE2 = {"gates_read": "c", "candidate_reads": None, "output": "tanh(o*c)"}


def step(
    x_t,
    h_prev,
    c_prev,
    p,
    *,
    gates_read="h",
    candidate_reads="h",
    output="o*tanh(c)",
    acts_swapped=False,
    swap=None,
    swap_weights=None,
    transpose_U=False,
    carry_c=True,
    output_gate_reads_c_next=False,
):
    """One LSTM step. x_t: (N, D), h_prev, c_prev: (N, H); p: W_k (D, H), U_k (H, H), b_k (H,).

    gates_read: "h", "c" or "h+c" (the state(s) the gates f, i, o read through U_k);
    candidate_reads: "h", "c" or None (no recurrent term in g);
    output: "o*tanh(c)", "tanh(o*c)" or "o*c";
    acts_swapped: tanh for the gates and sigmoid for the candidate;
    swap: a pair of gate names whose roles are exchanged, e.g. ("f", "i");
    swap_weights: a pair of gate names that read each other's W, U, b (wrong gate order);
    transpose_U: every recurrent product uses U_k.T;
    carry_c: False drops c_prev (c_next = i * g);
    output_gate_reads_c_next: o reads the new cell state (peephole style) instead.
    Returns h_next, c_next, gates {"f", "i", "o", "g"}.
    """
    states = {"h": [h_prev], "c": [c_prev], "h+c": [h_prev, c_prev], None: []}

    def pre(k, reads):
        if swap_weights and k in swap_weights:
            k = swap_weights[1 - swap_weights.index(k)]
        U = p[f"U_{k}"].T if transpose_U and reads else p.get(f"U_{k}")
        total = x_t @ p[f"W_{k}"] + p[f"b_{k}"]
        for state in states[reads]:
            total = total + state @ U
        return total

    gate_act, candidate_act = (np.tanh, sigmoid) if acts_swapped else (sigmoid, np.tanh)
    gates = {k: gate_act(pre(k, gates_read)) for k in ("f", "i", "o")}
    gates["g"] = candidate_act(pre("g", candidate_reads))
    if swap:
        a, b = swap
        gates[a], gates[b] = gates[b], gates[a]
    f, i, g = gates["f"], gates["i"], gates["g"]
    c_next = f * c_prev + i * g if carry_c else i * g
    if output_gate_reads_c_next:
        o_input = x_t @ p["W_o"] + c_next @ p["U_o"] + p["b_o"]
        gates["o"] = gate_act(o_input)
    o = gates["o"]
    h_next = {
        "o*tanh(c)": lambda: o * np.tanh(c_next),
        "tanh(o*c)": lambda: np.tanh(o * c_next),
        "o*c": lambda: o * c_next,
    }[output]()
    return h_next, c_next, gates


def sequence(x, h0, c0, p, *, reset=False, carry_c=True, carry_h=True, swap_hc=False, **kwargs):
    """`step` over x: (N, T, D) from h0, c0: (N, H). Returns {f, i, o, g, c, h}: (N, T, H).

    reset: every step starts from h0, c0; carry_c / carry_h False: that state restarts from
    its initial value at every step; swap_hc: the cell is called as step(x_t, c, h).
    Other keyword arguments go to `step`.
    """
    N, T, _ = x.shape
    out = {key: np.zeros((N, T, h0.shape[1])) for key in KEYS}
    h, c = h0, c0
    for t in range(T):
        if reset:
            h, c = h0, c0
        h_in, c_in = (h if carry_h else h0), (c if carry_c else c0)
        if swap_hc:
            h_in, c_in = c_in, h_in
        h, c, gates = step(x[:, t], h_in, c_in, p, **kwargs)
        for key, value in {**gates, "c": c, "h": h}.items():
            out[key][:, t] = value
    return out


def shifted(out: dict, h0, c0) -> dict:
    """The states stored *before* each step: out["h"][:, t] = h_{t-1} (h0 at t = 0)."""
    result = dict(out)
    for key, first in (("h", h0), ("c", c0)):
        result[key] = np.concatenate([first[:, None], out[key][:, :-1]], axis=1)
    return result


def expect_cell_result(function_name: str, outputs, expected, mistakes: dict) -> None:
    """Check a cell's (h_next, c_next, gates) against the reference's.

    mistakes: {description: (h_next, c_next, gates) that mistake would produce}. h_next is
    checked first, then c_next, then each gate, so the message names the first wrong value.
    """
    h_next, c_next, gates = expect_results(function_name, outputs, ("h_next", "c_next", "gates"))
    expect_match("h_next", h_next, expected[0], {m: v[0] for m, v in mistakes.items()})
    expect_match("c_next", c_next, expected[1], {m: v[1] for m, v in mistakes.items()})
    expect_keys("gates", gates, GATES)
    for key in GATES:
        wrong = {m: v[2][key] for m, v in mistakes.items()}
        expect_match(f"gates[{key!r}]", gates[key], expected[2][key], wrong)


def expect_sequence_result(function_name: str, out, expected: dict, mistakes: dict) -> None:
    """Check a layer's dict {f, i, o, g, c, h} of (N, T, H) arrays against the reference's.

    mistakes: {description: the dict that mistake would produce}. Lists, time-major arrays
    and missing steps get their own messages; "h" and "c" are checked before the gates.
    """
    expect_keys(function_name, out, KEYS)
    N, T, H = expected["h"].shape
    for key in ("h", "c", "f", "i", "o", "g"):
        value, name = out[key], f"out[{key!r}]"
        if isinstance(value, (list, tuple)):
            raise CheckFailed(
                f"{name} is a list of {len(value)} arrays, not an array of shape (N, T, H) = "
                f"{(N, T, H)}: stack the steps with np.stack(steps, axis=1)"
            )
        shape = np.shape(value)
        if shape == (T, N, H) and T != N:
            raise CheckFailed(
                f"{name} has shape {shape} = (T, N, H), time-major; the course uses (N, T, H)"
            )
        if len(shape) == 3 and shape[1] == T - 1 and shape[::2] == (N, H):
            raise CheckFailed(
                f"{name} holds {T - 1} steps for an input of {T} steps: a step is missing"
            )
        expect_match(name, value, expected[key], {m: v[key] for m, v in mistakes.items()})


def cell_case(kind: int, seed: int, N=None, H=None, scale: float = 0.5) -> tuple:
    """(x_t, h_prev, c_prev, params) of an LSTM type `kind` step on random distinct sizes;
    N and H fixed when given; weights drawn with standard deviation `scale`."""
    rng = np.random.default_rng(seed)
    sizes = random_sizes(rng, "N D H")
    sizes.update({k: v for k, v in {"N": N, "H": H}.items() if v is not None})
    params = lstm_params(rng, sizes["D"], sizes["H"], kind=kind, scale=scale)
    x_t = rng.standard_normal((sizes["N"], sizes["D"]))
    h_prev = np.tanh(rng.standard_normal((sizes["N"], sizes["H"])))
    c_prev = 2 * rng.standard_normal((sizes["N"], sizes["H"]))
    return x_t, h_prev, c_prev, params


def sequence_case(kind: int, seed: int, **fixed) -> tuple:
    """(x, h0, c0, params) of an LSTM type `kind` over time; sizes in `fixed` kept."""
    rng = np.random.default_rng(seed)
    sizes = random_sizes(rng, "N T D H")
    sizes.update(fixed)
    params = lstm_params(rng, sizes["D"], sizes["H"], kind=kind)
    x = rng.standard_normal((sizes["N"], sizes["T"], sizes["D"]))
    h0 = np.tanh(rng.standard_normal((sizes["N"], sizes["H"])))
    c0 = rng.standard_normal((sizes["N"], sizes["H"]))
    return x, h0, c0, params


def register_cell_parts(exercise, check_cell, kind: int, first_seed: int, large, call=None):
    """The four graded parts of an LSTM cell exercise (lessons 02 and 03 share them).

    check_cell(cell, ref, x_t, h_prev, c_prev, params) compares one step with the reference
    and returns the student's outputs; kind: the LSTM type of cell_case; large: (description,
    case), a step whose gates saturate and whose h_next, c_next must stay finite;
    call(cell, *arguments) calls the student's cell (default: directly).
    """
    call = call or (lambda cell, *arguments: cell(*arguments))
    description, large_case = large

    values = exercise.public("h_prev, c_prev not zero; N, D, H all different", check_cell,
                             lambda: cell_case(kind, first_seed))  # fmt: skip
    saturated = exercise.public(description.split(":")[0], check_cell, large_case)

    @exercise.part(
        "h_next, c_next and the gates on random sizes with N, D, H all different", weight=3
    )
    def _values(cell, ref):
        values.run(cell, ref)
        check_cell(cell, ref, *cell_case(kind, first_seed + 1))

    @exercise.part("a batch of one sequence with one unit (N = 1, H = 1)")
    def _small(cell, ref):
        check_cell(cell, ref, *cell_case(kind, first_seed + 2, N=1, H=1))

    @exercise.part(description)
    def _large(cell, ref):
        h_next, c_next, _ = saturated.run(cell, ref)
        expect_finite("h_next", h_next)
        expect_finite("c_next", c_next)

    @exercise.part("x_t, h_prev, c_prev and params are not modified")
    def _pure(cell, ref):
        x_t, h_prev, c_prev, params = cell_case(kind, first_seed + 4)
        arguments = {"x_t": x_t, "h_prev": h_prev, "c_prev": c_prev, **params}
        before = {name: value.copy() for name, value in arguments.items()}
        call(cell, x_t, h_prev, c_prev, params)
        for name, value in arguments.items():
            expect_unchanged(name, before[name], value)


def register_layer_parts(exercise, check_sequence, sequence_case, first_seed: int, call=None):
    """The four graded parts of an LSTM layer exercise (lessons 02 and 03 share them).

    check_sequence(layer, ref, x, h0, c0, params) compares one run with the reference;
    sequence_case(seed, **fixed) makes (x, h0, c0, params); call(layer, *arguments) calls
    the student's layer (default: directly).
    """
    call = call or (lambda layer, *arguments: layer(*arguments))
    values = exercise.public("several steps; h0, c0 not zero; N, T, D, H all different",
                             check_sequence, lambda: sequence_case(first_seed))  # fmt: skip

    @exercise.part("every output (N, T, H) on random sizes with N, T, D, H all different", weight=3)
    def _values(layer, ref):
        values.run(layer, ref)
        check_sequence(layer, ref, *sequence_case(first_seed + 1))

    @exercise.part("a sequence of one step (T = 1)")
    def _one_step(layer, ref):
        check_sequence(layer, ref, *sequence_case(first_seed + 2, T=1))

    @exercise.part("a batch of one sequence (N = 1)")
    def _one_sequence(layer, ref):
        check_sequence(layer, ref, *sequence_case(first_seed + 3, N=1))

    @exercise.part("x, h0, c0 and params are not modified")
    def _pure(layer, ref):
        x, h0, c0, params = sequence_case(first_seed + 4)
        arguments = {"x": x, "h0": h0, "c0": c0, **params}
        before = {name: value.copy() for name, value in arguments.items()}
        call(layer, x, h0, c0, params)
        for name, value in arguments.items():
            expect_unchanged(name, before[name], value)
