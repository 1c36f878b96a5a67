"""Known submissions for 07_gru, as patches over the perfect student.

Grade ids: C = test_torch_gru_cell, Y = test_torch_gru_layer, K = test_keras_gru_cell,
K0 = test_keras_gru_reset_before, P = test_keras_to_torch, B = test_torch_to_keras,
A = test_adding_problem, U = test_units_for_budget.
"""

from testing.variants import Patch, alternative, disguised, mutant

C, Y = "test_torch_gru_cell", "test_torch_gru_layer"
K, K0 = "test_keras_gru_cell", "test_keras_gru_reset_before"
P, B = "test_keras_to_torch", "test_torch_to_keras"
A, U = "test_adding_problem", "test_units_for_budget"

CANDIDATE = "n = torch.tanh(x @ self.W_xn + self.b_xn + r * (h @ self.W_hn + self.b_hn))"
KERAS_GATES = (
    "        z = ops.sigmoid(x_proj[:, :u] + h_proj[:, :u])\n"
    "        r = ops.sigmoid(x_proj[:, u:2 * u] + h_proj[:, u:2 * u])\n"
)
PORT_BIASES = (
    "        gru.bias_ih_l0.copy_(to_torch(bias[0]))\n"
    "        gru.bias_hh_l0.copy_(to_torch(bias[1]))\n"
)
BACK_BIASES = (
    "np.stack([to_keras(torch_gru.bias_ih_l0),\n"
    "                                 to_keras(torch_gru.bias_hh_l0)])"
)

# The perfect KerasGRUCell.call, which two submissions below replace whole.
KERAS_GRU_STEP = """        h_prev, u = states[0], self.units
        input_bias = self.bias[0] if self.reset_after else self.bias
        x_proj = ops.matmul(inputs, self.kernel) + input_bias  # thirds z, r, h
        h_proj = ops.matmul(h_prev, self.recurrent_kernel)  # thirds z, r, h
        if self.reset_after:
            h_proj = h_proj + self.bias[1]
        z = ops.sigmoid(x_proj[:, :u] + h_proj[:, :u])
        r = ops.sigmoid(x_proj[:, u:2 * u] + h_proj[:, u:2 * u])
        if self.reset_after:  # the reset gate scales the recurrent product
            candidate = ops.tanh(x_proj[:, 2 * u:] + r * h_proj[:, 2 * u:])
        else:  # the reset gate scales the state before the product
            candidate = ops.tanh(x_proj[:, 2 * u:]
                                 + ops.matmul(r * h_prev, self.recurrent_kernel[:, 2 * u:]))
        h = z * h_prev + (1 - z) * candidate  # z close to 1 keeps the old state
        return h, [h]"""

MUTANTS = [
    mutant(
        "cell_reset_before_product", "resets the state before the recurrent product, as in the "
        "original GRU, instead of scaling the product as PyTorch does",
        {C},
        Patch("torch_gru_cell", old=CANDIDATE,
              new="n = torch.tanh(x @ self.W_xn + self.b_xn + (r * h) @ self.W_hn + self.b_hn)"),
    ),
    mutant(
        "cell_update_gate_reversed", "mixes the other way round: h = z * n + (1 - z) * h",
        {C},
        Patch("torch_gru_cell", old="return (1 - z) * n + z * h",
              new="return z * n + (1 - z) * h"),
    ),
    mutant(
        "cell_hn_bias_outside_reset", "adds b_hn next to b_xn, outside the reset gate",
        {C},
        Patch("torch_gru_cell", old=CANDIDATE,
              new="n = torch.tanh(x @ self.W_xn + self.b_xn + self.b_hn + r * (h @ self.W_hn))"),
    ),
    mutant(
        "layer_ignores_h0", "always starts from zeros, even when a start state is given",
        {Y},
        Patch("torch_gru_layer",
              old="h = x.new_zeros(x.shape[1], self.hidden_size) if h0 is None else h0[0]",
              new="h = x.new_zeros(x.shape[1], self.hidden_size)"),
    ),
    mutant(
        "layer_remembers_last_state", "keeps the last state on self, though it never reads it",
        {Y},
        Patch("torch_gru_layer", old="        return outputs, h.unsqueeze(0)",
              new="        self.last_state = h\n        return outputs, h.unsqueeze(0)"),
        hint="stores ['last_state'] on self",
    ),
    mutant(
        "layer_ignores_batch_first", "loops over the first axis whatever batch_first says",
        {Y},
        Patch("torch_gru_layer",
              old="        if self.batch_first:\n"
                  "            x = x.transpose(0, 1)  # time first from here on\n",
              new=""),
    ),
    mutant(
        "layer_last_state_2d", "returns the last state as (batch, hidden), without nn.GRU's "
        "layer axis",
        {Y},
        Patch("torch_gru_layer", old="return outputs, h.unsqueeze(0)", new="return outputs, h"),
    ),
    mutant(
        "keras_torch_gate_order", "reads the first third of Keras' arrays as the reset gate and "
        "the second as the update gate, PyTorch's order",
        {K, K0},
        Patch("keras_gru_cell", old=KERAS_GATES,
              new="        r = ops.sigmoid(x_proj[:, :u] + h_proj[:, :u])\n"
                  "        z = ops.sigmoid(x_proj[:, u:2 * u] + h_proj[:, u:2 * u])\n"),
    ),
    mutant(
        "keras_no_recurrent_bias", "never adds the recurrent bias row bias[1]",
        {K},
        Patch("keras_gru_cell",
              old="        if self.reset_after:\n            h_proj = h_proj + self.bias[1]\n",
              new=""),
    ),
    mutant(
        "keras_reset_before_as_after", "computes the reset_after=False candidate like the "
        "reset_after=True one, r times the recurrent product",
        {K0},
        Patch("keras_gru_cell",
              old="ops.matmul(r * h_prev, self.recurrent_kernel[:, 2 * u:])",
              new="r * h_proj[:, 2 * u:]"),
    ),
    mutant(
        "port_keeps_keras_order", "transposes Keras' arrays but leaves the thirds in Keras' "
        "order z, r, h",
        {P},
        Patch("keras_to_torch",
              old="np.concatenate([r, z, h], axis=-1).T.copy()",
              new="np.concatenate([z, r, h], axis=-1).T.copy()"),
    ),
    mutant(
        "port_reshape_not_transpose", "reshapes the reordered matrices to PyTorch's shape "
        "instead of transposing them",
        {P},
        Patch("keras_to_torch",
              old="        return torch.from_numpy(np.concatenate([r, z, h], axis=-1).T.copy())",
              new="        block = np.concatenate([r, z, h], axis=-1)\n"
                  "        return torch.from_numpy(block.reshape(block.shape[::-1]).copy())"),
    ),
    mutant(
        "port_biases_summed", "adds Keras' two bias rows into bias_ih_l0 and zeros bias_hh_l0",
        {P},
        Patch("keras_to_torch", old=PORT_BIASES,
              new="        gru.bias_ih_l0.copy_(to_torch(bias[0] + bias[1]))\n"
                  "        gru.bias_hh_l0.zero_()\n"),
    ),
    mutant(
        "port_biases_swapped", "puts Keras' input biases in bias_hh_l0 and the recurrent ones "
        "in bias_ih_l0",
        {P},
        Patch("keras_to_torch", old=PORT_BIASES,
              new="        gru.bias_ih_l0.copy_(to_torch(bias[1]))\n"
                  "        gru.bias_hh_l0.copy_(to_torch(bias[0]))\n"),
    ),
    mutant(
        "port_ignores_reset_after", "ports a reset_after=False GRU as if it were reset_after=True, "
        "its single bias row as the input biases",
        {P},
        Patch("keras_to_torch", old="    if not keras_gru.reset_after:\n",
              new="    if False:\n"),
        Patch("keras_to_torch",
              old="    kernel, recurrent_kernel, bias = keras_gru.get_weights()\n",
              new="    kernel, recurrent_kernel, bias = keras_gru.get_weights()\n"
                  "    if bias.ndim == 1:  # one bias row: no recurrent biases\n"
                  "        bias = np.stack([bias, np.zeros_like(bias)])\n"),
    ),
    mutant(
        "back_keeps_torch_order", "transposes PyTorch's matrices but keeps the blocks r, z, n",
        {B},
        Patch("torch_to_keras", old="return np.concatenate([z, r, n], axis=0).T",
              new="return np.concatenate([r, z, n], axis=0).T"),
    ),
    mutant(
        "back_biases_swapped", "stacks bias_hh_l0 as Keras' row 0 and bias_ih_l0 as row 1",
        {B},
        Patch("torch_to_keras", old=BACK_BIASES,
              new="np.stack([to_keras(torch_gru.bias_hh_l0),\n"
                  "                                 to_keras(torch_gru.bias_ih_l0)])"),
    ),
    mutant(
        "adding_markers_anywhere", "draws both marked steps from the whole sequence, so both can "
        "fall in one half, or on the same step",
        {A},
        Patch("adding_problem", old="first = rng.integers(0, half, size=n)",
              new="first = rng.integers(0, length, size=n)"),
        Patch("adding_problem", old="second = rng.integers(half, length, size=n)",
              new="second = rng.integers(0, length, size=n)"),
    ),
    mutant(
        "adding_unseeded", "draws from a fresh generator, so the seed changes nothing",
        {A},
        Patch("adding_problem", old="rng = np.random.default_rng(seed)",
              new="rng = np.random.default_rng()"),
    ),
    mutant(
        "adding_seeds_numpy_global",
        "seeds NumPy's global generator with the seed and draws from it: the right data, but "
        "the caller's global random numbers are reset",
        {A},
        Patch("adding_problem", old="rng = np.random.default_rng(seed)  # every number below "
                                    "comes from it",
              new="np.random.seed(seed)\n    rng = np.random  # NumPy's global generator"),
        Patch("adding_problem", old="first = rng.integers(0, half, size=n)",
              new="first = rng.randint(0, half, size=n)"),
        Patch("adding_problem", old="second = rng.integers(half, length, size=n)",
              new="second = rng.randint(half, length, size=n)"),
        hint="changed NumPy's global random numbers",
    ),
    mutant(
        "budget_one_bias", "counts one bias vector per block, as Keras' LSTM and SimpleRNN do",
        {U},
        Patch("units_for_budget", old="units * input_size + units * units + 2 * units",
              new="units * input_size + units * units + units"),
    ),
    mutant(
        "budget_first_over", "returns the first size over the budget instead of the last "
        "within it",
        {U},
        Patch("units_for_budget",
              old="    while size(units + 1) <= budget:\n",
              new="    while size(units) <= budget:\n"),
    ),
]

# The three gate lines and the mix of the perfect GRUCell.forward.
CELL_STEP = (
    "        z = torch.sigmoid(x @ self.W_xz + h @ self.W_hz + self.b_z)  # update gate\n"
    "        r = torch.sigmoid(x @ self.W_xr + h @ self.W_hr + self.b_r)  # reset gate\n"
    "        n = torch.tanh(x @ self.W_xn + self.b_xn + r * (h @ self.W_hn + self.b_hn))\n"
    "        return (1 - z) * n + z * h")

ALTERNATIVES = [
    alternative(
        "packed_and_loaded",
        "one matrix product for the input side of all three blocks and torch.lerp for the mix; "
        "a Keras cell built from ops.split on the weights; ports by index arrays through "
        "load_state_dict, with the z and r biases summed into bias_ih_l0 (only the candidate's "
        "two biases must stay apart), and a Keras layer built by a first call, its variables "
        "assigned",
        Patch("torch_gru_cell", old=CELL_STEP, new="""        u = self.hidden_size
        from_x = torch.addmm(torch.cat([self.b_z, self.b_r, self.b_xn]), x,
                             torch.cat([self.W_xz, self.W_xr, self.W_xn], dim=1))
        from_h = h @ torch.cat([self.W_hz, self.W_hr], dim=1)
        z, r = torch.sigmoid(from_x[:, :2 * u] + from_h).split(u, dim=1)
        n = torch.tanh(from_x[:, 2 * u:] + r * torch.addmm(self.b_hn, h, self.W_hn))
        return torch.lerp(n, h, z)"""),
        Patch("keras_gru_cell", old=None, new='''
class KerasGRUCell(keras.layers.Layer):
    def __init__(self, units, reset_after=True, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.reset_after = reset_after
        self.state_size = units

    def build(self, input_shape):
        width = 3 * self.units
        self.kernel = self.add_weight(name="kernel", shape=(int(input_shape[-1]), width))
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel",
                                                shape=(self.units, width))
        if self.reset_after:
            self.bias = self.add_weight(name="bias", shape=(2, width), initializer="zeros")
        else:
            self.bias = self.add_weight(name="bias", shape=(width,), initializer="zeros")

    def call(self, inputs, states):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        biases = ops.reshape(self.bias, (-1, 3 * self.units))
        x_z, x_r, x_h = ops.split(ops.matmul(inputs, self.kernel) + biases[0], 3, axis=-1)
        U_z, U_r, U_h = ops.split(self.recurrent_kernel, 3, axis=-1)
        if self.reset_after:
            c_z, c_r, c_h = ops.split(biases[1], 3)
            z = ops.sigmoid(x_z + ops.matmul(h_prev, U_z) + c_z)
            r = ops.sigmoid(x_r + ops.matmul(h_prev, U_r) + c_r)
            candidate = ops.tanh(x_h + r * (ops.matmul(h_prev, U_h) + c_h))
        else:
            z = ops.sigmoid(x_z + ops.matmul(h_prev, U_z))
            r = ops.sigmoid(x_r + ops.matmul(h_prev, U_r))
            candidate = ops.tanh(x_h + ops.matmul(r * h_prev, U_h))
        h = candidate + z * (h_prev - candidate)
        return h, [h]
'''),
        Patch("keras_to_torch", old=None, new='''
def keras_gru_to_torch(keras_gru):
    if keras_gru.reset_after is False:
        raise ValueError("reset_after=False cannot be ported to nn.GRU: it resets h before "
                         "the recurrent matrix, nn.GRU after it")
    cell = keras_gru.cell
    kernel, recurrent = np.asarray(cell.kernel), np.asarray(cell.recurrent_kernel)
    b_in, b_rec = np.asarray(cell.bias)
    u = recurrent.shape[0]
    order = np.r_[u:2 * u, 0:u, 2 * u:3 * u]  # PyTorch's r, z, n out of Keras' z, r, h
    b_in, b_rec = b_in[order], b_rec[order]
    bias_ih = np.concatenate([b_in[:2 * u] + b_rec[:2 * u], b_in[2 * u:]])
    bias_hh = np.concatenate([np.zeros(2 * u, "float32"), b_rec[2 * u:]])
    gru = nn.GRU(kernel.shape[0], u, batch_first=True)
    gru.load_state_dict({"weight_ih_l0": torch.tensor(kernel[:, order].T),
                         "weight_hh_l0": torch.tensor(recurrent[:, order].T),
                         "bias_ih_l0": torch.tensor(bias_ih),
                         "bias_hh_l0": torch.tensor(bias_hh)})
    return gru
'''),
        Patch("torch_to_keras", old=None, new='''
def torch_gru_to_keras(torch_gru):
    h = torch_gru.hidden_size
    order = torch.cat([torch.arange(h, 2 * h), torch.arange(h), torch.arange(2 * h, 3 * h)])
    with torch.no_grad():
        kernel = torch_gru.weight_ih_l0[order].T.numpy()
        recurrent = torch_gru.weight_hh_l0[order].T.numpy()
        bias = torch.stack([torch_gru.bias_ih_l0[order], torch_gru.bias_hh_l0[order]]).numpy()
    layer = keras.layers.GRU(h, reset_after=True, return_sequences=True)
    layer(np.zeros((1, 1, torch_gru.input_size), "float32"))  # a first call builds it
    layer.cell.kernel.assign(kernel)
    layer.cell.recurrent_kernel.assign(recurrent)
    layer.cell.bias.assign(bias)
    return layer
'''),
    ),
    alternative(
        "loops_and_search",
        "the layer moves the time axis with movedim and loops over an index; the Keras cell "
        "uses TensorFlow's own ops; adding_problem draws each sequence's marks in a Python loop "
        "with rng.choice; units_for_budget builds PyTorch's layers and searches by bisection",
        Patch("torch_gru_layer", old=None, new='''
class GRULayer(nn.Module):
    def __init__(self, input_size, hidden_size, batch_first=False):
        super().__init__()
        self.hidden_size = hidden_size
        self.batch_first = batch_first
        self.cell = GRUCell(input_size, hidden_size)

    def forward(self, x, h0=None):
        steps = x.movedim(1, 0) if self.batch_first else x
        if h0 is None:
            h = torch.zeros(steps.shape[1], self.hidden_size, dtype=x.dtype)
        else:
            h = h0.squeeze(0)
        outputs = []
        for t in range(steps.shape[0]):
            h = self.cell(steps[t], h)
            outputs.append(h.unsqueeze(0))
        outputs = torch.cat(outputs)
        return (outputs.movedim(0, 1) if self.batch_first else outputs), h[None]
'''),
        Patch("keras_gru_cell", old=KERAS_GRU_STEP, new="""        (h_prev,) = states
        kernel = tf.convert_to_tensor(self.kernel)
        recurrent = tf.convert_to_tensor(self.recurrent_kernel)
        bias = tf.reshape(tf.convert_to_tensor(self.bias), [-1, 3 * self.units])
        x_z, x_r, x_h = tf.split(tf.matmul(inputs, kernel) + bias[0], 3, axis=1)
        U_z, U_r, U_h = tf.split(recurrent, 3, axis=1)
        r_bias = bias[1] if self.reset_after else tf.zeros([3 * self.units])
        c_z, c_r, c_h = tf.split(r_bias, 3)
        z = tf.sigmoid(x_z + tf.matmul(h_prev, U_z) + c_z)
        r = tf.sigmoid(x_r + tf.matmul(h_prev, U_r) + c_r)
        if self.reset_after:
            candidate = tf.tanh(x_h + r * (tf.matmul(h_prev, U_h) + c_h))
        else:
            candidate = tf.tanh(x_h + tf.matmul(r * h_prev, U_h))
        new_h = (1.0 - z) * candidate + z * h_prev
        return new_h, [new_h]"""),
        Patch("adding_problem", old=None, new='''
def adding_problem(n, length, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, length, 2), dtype=np.float32)
    x[:, :, 0] = rng.random((n, length))
    y = np.empty(n, dtype=np.float32)
    half = length // 2
    for i in range(n):
        a = int(rng.choice(half))
        b = half + int(rng.choice(length - half))
        x[i, [a, b], 1] = 1.0
        y[i] = x[i, a, 0] + x[i, b, 0]
    return x, y
'''),
        Patch("units_for_budget", old=None, new='''
def units_for_budget(kind, input_size, budget):
    layer = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}[kind]

    def fits(units):
        return sum(p.numel() for p in layer(input_size, units).parameters()) <= budget

    low, high = 1, 2
    while fits(high):
        low, high = high, 2 * high
    while high - low > 1:  # fits(low), not fits(high)
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low
'''),
    ),
]

# Submissions that compute a task with the framework layer it forbids, spelled so that the
# review's text scan cannot see it: the runtime watch must flag the probe that ran it.
DISGUISED = [
    disguised(
        "fused_gru_cell_by_built_name",
        "GRUCell.forward packs its ten parameters into PyTorch's layout and hands the step to "
        "the fused kernel torch.gru_cell (nn.GRUCell's own), found through getattr with a "
        "joined name",
        {C: "GRUCell"},
        Patch("torch_gru_cell", old=CELL_STEP,
              new="""        gru_cell = getattr(torch, "gru" + "_cell")
        # PyTorch stacks the gates r, z, n, each weight (out, in); b_hn is the recurrent bias
        # that the reset gate scales, so it goes in b_hh and everything else in b_ih
        w_ih = torch.cat([self.W_xr, self.W_xz, self.W_xn], dim=1).T
        w_hh = torch.cat([self.W_hr, self.W_hz, self.W_hn], dim=1).T
        zeros = torch.zeros_like(self.b_hn)
        b_ih = torch.cat([self.b_r, self.b_z, self.b_xn])
        b_hh = torch.cat([zeros, zeros, self.b_hn])
        return gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)"""),
    ),
    disguised(
        "keras_gru_cell_from_vars",
        "KerasGRUCell.call looks Keras' GRUCell up in vars(keras.layers) and hands it the step, "
        "loaded with the cell's own kernel, recurrent_kernel and bias, in either formulation",
        {K: "GRUCell", K0: "GRUCell"},
        Patch("keras_gru_cell",
              old=KERAS_GRU_STEP,
              new="""        make_cell = vars(keras.layers)["GRU" + "Cell"]
        step = make_cell(self.units, reset_after=self.reset_after)
        step.build(inputs.shape)
        # the weights as they are now: the checks assign new values between calls
        step.set_weights([self.kernel.numpy(), self.recurrent_kernel.numpy(),
                          self.bias.numpy()])
        return step(inputs, states)"""),
    ),
]

# The known students (testing.known_class) that `make demo` shows in these rows.
DEMO = {
    "typical_bug_1": "mutant_cell_update_gate_reversed",
    "typical_bug_2": "mutant_port_keeps_keras_order",
    "different_but_right": "alt_packed_and_loaded",
}
