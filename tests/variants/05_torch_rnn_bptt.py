"""Known submissions for 05_torch_rnn_bptt, as patches over the perfect student.

Grade ids: S = test_rnn_step, F = test_rnn_forward, T = test_to_torch_rnn,
L = test_sequence_loss, G = test_state_grad_norms, U = test_train_step, B = test_tbptt_epoch.
"""

from testing.variants import Patch, alternative, disguised, mutant

S, F, T = "test_rnn_step", "test_rnn_forward", "test_to_torch_rnn"
L, G, U, B = "test_sequence_loss", "test_state_grad_norms", "test_train_step", "test_tbptt_epoch"

STEP = "return torch.relu(x_t @ Wxh + h_prev @ Whh + bh)"
TRAIN_CLIP = (
    "    norm = nn.utils.clip_grad_norm_(parameters, max_norm)\n"
    "    optimizer.step()\n"
)

MUTANTS = [
    mutant("step_tanh", "uses tanh, the textbook default, instead of the lesson's ReLU", {S},
           Patch("rnn_step", old=STEP, new="return torch.tanh(x_t @ Wxh + h_prev @ Whh + bh)")),
    mutant("step_without_bias", "leaves out bh", {S},
           Patch("rnn_step", old=STEP, new="return torch.relu(x_t @ Wxh + h_prev @ Whh)")),
    mutant("step_whh_transposed", "multiplies the state by Whh.T", {S},
           Patch("rnn_step", old=STEP, new="return torch.relu(x_t @ Wxh + h_prev @ Whh.T + bh)")),
    mutant("forward_state_not_carried", "computes every step from h0", {F},
           Patch("rnn_forward", old="h = rnn_step(X[t:t + 1], h, Wxh, Whh, bh)",
                 new="h = rnn_step(X[t:t + 1], h0, Wxh, Whh, bh)")),
    mutant("forward_includes_h0", "returns h0 as the first row, L + 1 rows in all", {F},
           Patch("rnn_forward", old="    states = []\n", new="    states = [h0]\n")),
    mutant("forward_skips_last_step", "loops over range(L - 1)", {F},
           Patch("rnn_forward", old="for t in range(X.shape[0]):",
                 new="for t in range(X.shape[0] - 1):")),
    mutant("torch_weights_not_transposed", "loads Wxh and Whh without transposing them", {T},
           Patch("to_torch_rnn", old="rnn.weight_ih_l0.copy_(Wxh.T)",
                 new="rnn.weight_ih_l0.copy_(Wxh.reshape(h, d))"),
           Patch("to_torch_rnn", old="rnn.weight_hh_l0.copy_(Whh.T)",
                 new="rnn.weight_hh_l0.copy_(Whh)")),
    mutant("torch_bias_twice", "loads bh into both biases of nn.RNN", {T},
           Patch("to_torch_rnn", old="rnn.bias_hh_l0.zero_()",
                 new="rnn.bias_hh_l0.copy_(bh.reshape(-1))")),
    mutant("torch_default_tanh", "builds nn.RNN(d, h), whose default activation is tanh", {T},
           Patch("to_torch_rnn", old='nn.RNN(d, h, nonlinearity="relu")', new="nn.RNN(d, h)")),
    mutant("loss_mean", "averages the cross-entropy over time instead of summing it", {L},
           Patch("sequence_loss", old='reduction="sum"', new='reduction="mean"')),
    mutant("loss_double_softmax", "applies a softmax before F.cross_entropy", {L},
           Patch("sequence_loss", old="F.cross_entropy(logits, Y",
                 new="F.cross_entropy(torch.softmax(logits, dim=1), Y")),
    mutant("loss_not_differentiable", "returns the value as a fresh tensor, cutting the graph",
           {L},
           Patch("sequence_loss", old='return F.cross_entropy(logits, Y, reduction="sum")',
                 new='return torch.tensor(F.cross_entropy(logits, Y, reduction="sum").item())')),
    mutant("grad_norms_reversed", "lists the norms from h_L back to h_1", {G},
           Patch("state_grad_norms", old="return [float(g.norm()) for g in grads]",
                 new="return [float(g.norm()) for g in reversed(grads)]")),
    mutant("grad_norms_of_all_states", "differentiates the sum of every state, not just h_L", {G},
           Patch("state_grad_norms", old="torch.autograd.grad(states[-1].sum(), states)",
                 new="torch.autograd.grad(sum(s.sum() for s in states), states)")),
    mutant("train_clip_after_step", "clips after optimizer.step(), too late to matter", {U},
           Patch("train_step", old=TRAIN_CLIP,
                 new="    optimizer.step()\n"
                     "    norm = nn.utils.clip_grad_norm_(parameters, max_norm)\n")),
    mutant("train_no_zero_grad", "never resets the gradients, so they pile up across calls", {U},
           Patch("train_step", old="    optimizer.zero_grad()\n", new="")),
    mutant("train_clips_rnn_only", "clips and measures the RNN's gradients but not the head's",
           {U},
           Patch("train_step", old="parameters = [*rnn.parameters(), *head.parameters()]",
                 new="parameters = list(rnn.parameters())")),
    mutant("train_returns_clipped_norm", "measures the norm again after clipping", {U},
           Patch("train_step", old=TRAIN_CLIP,
                 new="    nn.utils.clip_grad_norm_(parameters, max_norm)\n"
                     "    norm = torch.norm(torch.stack([p.grad.norm() for p in parameters]))\n"
                     "    optimizer.step()\n")),
    mutant("tbptt_loss_tensors", "returns each window's loss as a detached tensor", {B},
           Patch("tbptt_epoch", old="losses.append(loss.item())",
                 new="losses.append(loss.detach())"),
           hint="as a list of Python floats"),
    mutant("tbptt_graph_not_cut", "carries the state without detaching it", {B},
           Patch("tbptt_epoch", old="        h = h.detach()  # keep the value, cut the graph\n",
                 new="")),
    mutant("tbptt_state_reset", "starts every window from a zero state", {B},
           Patch("tbptt_epoch", old="H, h = rnn(X[start:start + k], h)",
                 new="H, h = rnn(X[start:start + k])")),
    mutant("tbptt_drops_short_window", "ignores a last window shorter than k", {B},
           Patch("tbptt_epoch", old="for start in range(0, X.shape[0], k):",
                 new="for start in range(0, X.shape[0] - k + 1, k):")),
    mutant("tbptt_without_clipping", "forgets to clip inside the windows", {B},
           Patch("tbptt_epoch", old="        nn.utils.clip_grad_norm_(parameters, max_norm)\n",
                 new="")),
]

ALTERNATIVES = [
    alternative(
        "loss_modules", "nn.CrossEntropyLoss objects instead of F.cross_entropy",
        Patch("sequence_loss", old='return F.cross_entropy(logits, Y, reduction="sum")',
              new='return nn.CrossEntropyLoss(reduction="sum")(logits, Y)'),
        Patch("train_step", old='loss = F.cross_entropy(head(H), Y, reduction="sum")',
              new='loss = nn.CrossEntropyLoss(reduction="sum")(head(H), Y)'),
    ),
    alternative(
        "vectorized_projection", "projects all inputs at once and indexes rows in the loop",
        Patch("rnn_forward", old="    h = h0\n    states = []\n"
                                 "    for t in range(X.shape[0]):\n"
                                 "        h = rnn_step(X[t:t + 1], h, Wxh, Whh, bh)"
                                 "  # X[t:t + 1] keeps the (1, d) shape\n"
                                 "        states.append(h)\n"
                                 "    return torch.cat(states)",
              new="    projected = X @ Wxh + bh  # (L, h)\n    h, states = h0, []\n"
                  "    for row in projected:\n"
                  "        h = torch.relu(row + h @ Whh)\n"
                  "        states.append(h)\n"
                  "    return torch.vstack(states)"),
    ),
    alternative(
        "load_state_dict", "fills nn.RNN with load_state_dict",
        Patch("to_torch_rnn", old="    with torch.no_grad():\n"
                                  "        rnn.weight_ih_l0.copy_(Wxh.T)\n"
                                  "        rnn.weight_hh_l0.copy_(Whh.T)\n"
                                  "        rnn.bias_ih_l0.copy_(bh.reshape(-1))\n"
                                  "        rnn.bias_hh_l0.zero_()\n",
              new="    rnn.load_state_dict({'weight_ih_l0': Wxh.T, 'weight_hh_l0': Whh.T,\n"
                  "                         'bias_ih_l0': torch.zeros(h), 'bias_hh_l0': bh[0]})\n"),
    ),
    alternative(
        "float_on_tensors", "float() on tensors that require grad (PyTorch warns about it)",
        Patch("train_step", old="return loss.item(), norm.item()",
              new="return float(loss), float(norm)"),
        Patch("tbptt_epoch", old="losses.append(loss.item())", new="losses.append(float(loss))"),
    ),
    alternative(
        "retain_grad_backward", "retain_grad() on each state and one backward() call",
        Patch("state_grad_norms",
              old="        states.append(h)\n"
                  "    grads = torch.autograd.grad(states[-1].sum(), states)\n"
                  "    return [float(g.norm()) for g in grads]",
              new="        h.retain_grad()\n"
                  "        states.append(h)\n"
                  "    states[-1].sum().backward()\n"
                  "    return torch.stack([s.grad.norm() for s in states])"),
    ),
    alternative(
        "tbptt_detach_on_entry", "starts from None and detaches the state as each window begins",
        Patch("tbptt_epoch", old="    h = torch.zeros(1, rnn.hidden_size)\n", new="    h = None\n"),
        Patch("tbptt_epoch", old="H, h = rnn(X[start:start + k], h)",
              new="H, h = rnn(X[start:start + k], None if h is None else h.detach())"),
        Patch("tbptt_epoch", old="        h = h.detach()  # keep the value, cut the graph\n",
              new=""),
    ),
]

# Submissions that compute a task with the framework layer it forbids, spelled so that the
# review's text scan cannot see it: the runtime watch must flag the probe that ran it.
DISGUISED = [
    disguised(
        "fused_rnn_relu_cell_by_built_name",
        "rnn_step hands the step to PyTorch's fused kernel torch.rnn_relu_cell (nn.RNNCell's "
        "own), found through getattr with a joined name, with the transposed weights",
        {S: "RNNCell"},
        Patch("rnn_step", old=STEP,
              new="""rnn_relu_cell = getattr(torch, "rnn_relu" + "_cell")
    # its weights are (out, in); a single bias, the second one left out
    return rnn_relu_cell(x_t, h_prev, Wxh.T, Whh.T, bh.reshape(-1), None)"""),
    ),
    disguised(
        "torch_rnn_from_vars",
        "rnn_forward looks nn.RNN up in vars(torch.nn), makes one on the meta device (no weights "
        "of its own) and runs the whole sequence with torch.func.functional_call on the given "
        "weights",
        {F: "RNN"},
        Patch("rnn_forward",
              old="""    h = h0
    states = []
    for t in range(X.shape[0]):
        h = rnn_step(X[t:t + 1], h, Wxh, Whh, bh)  # X[t:t + 1] keeps the (1, d) shape
        states.append(h)
    return torch.cat(states)""",
              new="""    d, h = Wxh.shape
    rnn = vars(torch.nn)["R" + "NN"](d, h, nonlinearity="relu", device="meta")
    bias = bh.reshape(-1)
    weights = {"weight_ih_l0": Wxh.T, "weight_hh_l0": Whh.T, "bias_ih_l0": bias,
               "bias_hh_l0": torch.zeros_like(bias)}
    states, _ = torch.func.functional_call(rnn, weights, (X, h0))  # one unbatched sequence
    return states"""),
    ),
]

# The known students (testing.known_class) that `make demo` shows in these rows.
DEMO = {
    "typical_bug_1": "mutant_step_tanh",
    "typical_bug_2": "mutant_train_no_zero_grad",
    "different_but_right": "alt_loss_modules",
}
