// The chapter's exercises, in reading order: their page, what each is checked against, the hint
// and the diagnosis of each mistake its check recognises, in English and in Chinese.
//
// Chinese: the book's terms (docs/terms.tsv; the English in parentheses at a term's first use in
// a hint or diagnosis), Chinese punctuation, one space between Chinese and Latin letters or
// digits; formulas, code and identifiers stay as they are. Each hint is written in lines of
// about 90 columns (a Chinese character takes two).
#include "exercises/checker/checks.h"

#include <stdexcept>

namespace ex::check {

const std::vector<Exercise>& exercises() {
  static const std::vector<Exercise> list = {
      {"rnn_forward",
       {"02: The RNN from scratch in Eigen", "02：用 Eigen 从零实现 RNN"},
       {"02 RNN from scratch", "02 从零实现 RNN"},
       {"torch::nn::RNN with the same weights (float64)", "权重相同的 torch::nn::RNN（float64）"},
       {"Keep one state vector h, starting as h0. For each x in xs: the pre-activation is\n"
        "W_ih x + b_ih + W_hh h + b_hh (w.w_ih * x + ...: the weights are [H, in] and [H, H]),\n"
        "h becomes its tanh (.array().tanh()), and you append h to the result.",
        "用一个向量 h 保存隐状态（hidden state），初值为 h0。对 xs 中的每个 x，先算\n"
        "预激活（pre-activation）W_ih x + b_ih + W_hh h + b_hh（代码写作 w.w_ih * x + ...，\n"
        "两个权重分别是 [H, in] 和 [H, H]），再令 h 等于它的 tanh（.array().tanh()），\n"
        "并把 h 追加到结果中。"},
       {{"includes_h0",
         {"your result starts with h_0: return h_1..h_T, one state per input",
          "你的结果以 h_0 开头：应返回 h_1..h_T，每个输入对应一个状态"}},
        {"transposed_w_hh",
         {"your result equals tanh(W_ih x + b_ih + W_hh^T h + b_hh): W_hh is [H, H] and "
          "multiplies h as it is (W_hh * h)",
          "你的结果等于 tanh(W_ih x + b_ih + W_hh^T h + b_hh)：W_hh 是 [H, H]，应不加转置地"
          "左乘 h（W_hh * h）"}},
        {"transposed_w_ih",
         {"your result equals one that uses W_ih^T: W_ih is [H, in], so W_ih * x (no transpose)",
          "你的结果与用 W_ih^T 算出的一致：W_ih 是 [H, in]，应写 W_ih * x（不转置）"}},
        {"bias_once",
         {"your result leaves out {}: LibTorch adds both biases, b_ih and b_hh",
          "你的结果漏掉了 {}：LibTorch 会把 b_ih 和 b_hh 两个偏置都加上"}},
        {"no_tanh",
         {"your states are the pre-activations: apply tanh",
          "你的状态就是预激活（pre-activation）本身：还要再取 tanh"}},
        {"state_not_carried",
         {"every step of yours starts from h0: pass h_t on to the next step",
          "你的每一步都从 h0 出发：应把 h_t 传给下一步"}}},
       check_rnn_forward},

      {"rnn_backward",
       {"03: Backpropagation through time, vanishing and exploding gradients",
        "03：随时间反向传播，梯度消失与梯度爆炸"},
       {"03 BPTT", "03 随时间反向传播"},
       {"LibTorch autograd through torch::rnn_tanh_cell, and central finite differences",
        "经过 torch::rnn_tanh_cell 的 LibTorch 自动求导，以及中心有限差分"},
       {"Go backwards, t = T-1 .. 0 (0-based), carrying g = dL/dh_{t+1} from the step after.\n"
        "At step t: dh_t = dh[t] + g; da = dh_t * (1 - hs[t]^2) elementwise (tanh'); then\n"
        "dW_ih += da x_t^T, dW_hh += da h_{t-1}^T (h_{-1} is h0), db += da, dx_t = W_ih^T da,\n"
        "and the new g = W_hh^T da. After the loop, dL/dh_0 = g.",
        "从后往前走，t = T-1 .. 0（下标从 0 开始），用 g 保存从后一步传回来的 dL/dh_{t+1}。\n"
        "在第 t 步：dh_t = dh[t] + g；da = dh_t * (1 - hs[t]^2)，按元素相乘（tanh' = 1 - h^2）；\n"
        "然后 dW_ih += da x_t^T，dW_hh += da h_{t-1}^T（h_{-1} 就是 h0），db += da，\n"
        "dx_t = W_ih^T da，新的 g = W_hh^T da。循环结束后，dL/dh_0 = g。"},
       {{"no_later_gradient",
         {"your gradients use only dh[t] at each step: dL/dh_t also receives W_hh^T da_{t+1} "
          "from step t+1; carry it backwards",
          "你的梯度在每一步只用了 dh[t]：dL/dh_t 还会从第 t+1 步收到 W_hh^T da_{t+1}，"
          "要把它一步步往回传"}},
        {"tanh_prime_wrong_state",
         {"your tanh' uses h_{t-1}: the derivative of h_t = tanh(a_t) is 1 - h_t^2, at the "
          "step's own output",
          "你的 tanh' 用的是 h_{t-1}：h_t = tanh(a_t) 的导数是 1 - h_t^2，要用这一步自己的输出"}},
        {"transposed_w_hh",
         {"what you send back to h_{t-1} uses W_hh instead of W_hh^T",
          "你传回 h_{t-1} 的梯度用了 W_hh，应该用 W_hh^T"}},
        {"no_b_hh",
         {"your dL/db_hh is zero: b_hh enters like b_ih, so it gets the same gradient",
          "你的 dL/db_hh 是零：b_hh 和 b_ih 加在同一处，梯度也相同"}}},
       check_rnn_backward},

      {"lstm_cell",
       {"04: The LSTM cell and its gates", "04：LSTM 单元及其门控"},
       {"04 LSTM gates", "04 LSTM 门控"},
       {"torch::nn::LSTMCell with the same weights (float64)",
        "权重相同的 torch::nn::LSTMCell（float64）"},
       {"a = w.w_ih * x + w.b_ih + w.w_hh * prev.h + w.b_hh has 4H entries. With H =\n"
        "w.w_hh.cols(): i = sigmoid(a.segment(0, H)), f = sigmoid(a.segment(H, H)),\n"
        "g = tanh(a.segment(2 * H, H)), o = sigmoid(a.segment(3 * H, H)). Then\n"
        "c = f * prev.c + i * g and h = o * tanh(c), elementwise (cwiseProduct).",
        "a = w.w_ih * x + w.b_ih + w.w_hh * prev.h + w.b_hh 共有 4H 个元素。取\n"
        "H = w.w_hh.cols()：i = sigmoid(a.segment(0, H))，f = sigmoid(a.segment(H, H))，\n"
        "g = tanh(a.segment(2 * H, H))，o = sigmoid(a.segment(3 * H, H))。然后按元素相乘\n"
        "（cwiseProduct）：细胞状态（cell state）c = f * prev.c + i * g，h = o * tanh(c)。"},
       {{"gate_order",
         {"your gates look like the order {}; LibTorch stacks them i, f, g, o (rows [0,H) i, "
          "[H,2H) f, [2H,3H) g, [3H,4H) o)",
          "你的门控（gate）像是按 {} 的顺序取的：LibTorch 的堆叠顺序是 i, f, g, o"
          "（i 占第 [0,H) 行，f 占 [H,2H)，g 占 [2H,3H)，o 占 [3H,4H)）"}},
        {"no_tanh_on_output",
         {"your h_t equals o_t * c_t: the output is h_t = o_t * tanh(c_t)",
          "你的 h_t 等于 o_t * c_t：输出应为 h_t = o_t * tanh(c_t)"}},
        {"squashed_cell",
         {"your c_t is squashed by a tanh: c_t = f_t * c_{t-1} + i_t * g_t recurs as it is; "
          "tanh is only for h_t",
          "你的 c_t 被 tanh 压缩了：细胞状态（cell state）c_t = f_t * c_{t-1} + i_t * g_t "
          "原样传到下一步，tanh 只用在 h_t 上"}},
        {"sigmoid_candidate",
         {"your candidate g_t uses a sigmoid: g_t = tanh(...), so that it can be negative",
          "你的候选值（candidate）g_t 用了 sigmoid：应为 g_t = tanh(...)，这样它才能取负值"}},
        {"bias_once",
         {"your cell leaves out b_hh: LibTorch adds both biases",
          "你的单元漏掉了 b_hh：LibTorch 会把两个偏置都加上"}}},
       check_lstm_cell},

      {"lstm_cell_backward",
       {"04: The LSTM cell and its gates", "04：LSTM 单元及其门控"},
       {"04 LSTM gates", "04 LSTM 门控"},
       {"LibTorch autograd through torch::lstm_cell", "经过 torch::lstm_cell 的 LibTorch 自动求导"},
       {"Recompute i, f, g, o, c_t and tanh(c_t). Then dc = dnext.c + dnext.h * o * (1 -\n"
        "tanh(c_t)^2); do = dnext.h * tanh(c_t); di = dc * g; df = dc * c_{t-1}; dg = dc * i.\n"
        "Through the nonlinearities: sigmoid' = s (1 - s), tanh' = 1 - g^2; stack the four into\n"
        "da (4H). Then dW_ih = da x^T, dW_hh = da h^T, db = da, dx = W_ih^T da, dh_{t-1} =\n"
        "W_hh^T da and dc_{t-1} = dc * f.",
        "先重新算出 i、f、g、o、c_t 和 tanh(c_t)。然后\n"
        "dc = dnext.c + dnext.h * o * (1 - tanh(c_t)^2)；do = dnext.h * tanh(c_t)；\n"
        "di = dc * g；df = dc * c_{t-1}；dg = dc * i。再分别穿过各自的激活函数：sigmoid' = s (1 - s)，\n"
        "tanh' = 1 - g^2；把四块拼成 da（4H 个元素）。最后 dW_ih = da x^T，dW_hh = da h^T，\n"
        "db = da，dx = W_ih^T da，dh_{t-1} = W_hh^T da，dc_{t-1} = dc * f。"},
       {{"cell_path_from_h",
         {"your dL/dc_t misses the path through h_t = o_t * tanh(c_t): add "
          "dnext.h * o_t * (1 - tanh(c_t)^2) to dnext.c",
          "你的 dL/dc_t 漏掉了经过 h_t = o_t * tanh(c_t) 的那条路径：要在 dnext.c 上再加上 "
          "dnext.h * o_t * (1 - tanh(c_t)^2)"}},
        {"cell_path_from_later",
         {"your dL/dc_t misses dnext.c, the gradient from later steps that reaches c_t directly "
          "(the cell state's highway)",
          "你的 dL/dc_t 漏掉了 dnext.c：它是后面的时间步沿细胞状态（cell state）这条“高速公路”"
          "直接传到 c_t 的梯度"}},
        {"tanh_prime_of_c",
         {"your tanh' is 1 - c_t^2: the derivative of tanh(c_t) is 1 - tanh(c_t)^2",
          "你的 tanh' 写成了 1 - c_t^2：tanh(c_t) 的导数是 1 - tanh(c_t)^2"}},
        {"prev_c_without_f",
         {"your dL/dc_{t-1} is dL/dc_t itself: c_t = f_t * c_{t-1} + ..., so multiply by f_t",
          "你的 dL/dc_{t-1} 就是 dL/dc_t 本身：c_t = f_t * c_{t-1} + ...，所以还要乘以 f_t"}}},
       check_lstm_cell_backward},

      {"gru_cell",
       {"08: The GRU against the RNN and the LSTM", "08：GRU 与 RNN、LSTM 的比较"},
       {"08 GRU", "08 GRU 对比"},
       {"torch::nn::GRUCell with the same weights (float64)",
        "权重相同的 torch::nn::GRUCell（float64）"},
       {"Compute the input part w.w_ih * x + w.b_ih and the hidden part w.w_hh * h + w.b_hh\n"
        "(3H entries each, blocks r, z, n). r and z are sigmoids of the sums of their blocks.\n"
        "n = tanh(input_n + r * hidden_n): the reset gate scales the hidden part after its\n"
        "product and bias. The result is (1 - z) * n + z * h.",
        "先算输入部分 w.w_ih * x + w.b_ih 和隐状态部分 w.w_hh * h + w.b_hh（各有 3H 个元素，\n"
        "依次分为 r、z、n 三块）。r 和 z 分别是两部分对应块之和的 sigmoid。\n"
        "n = tanh(input_n + r * hidden_n)：重置门（reset gate）作用在隐状态部分乘完矩阵、\n"
        "加上偏置之后。结果是 (1 - z) * n + z * h。"},
       {{"textbook_reset",
         {"your cell applies r_t to h_{t-1} before W_hn (the textbook form, "
          "W_hn (r_t * h_{t-1})); LibTorch applies it after: r_t * (W_hn h_{t-1} + b_hn)",
          "你的单元在乘 W_hn 之前就把 r_t 作用到了 h_{t-1} 上（教科书写法 W_hn (r_t * h_{t-1})）；"
          "LibTorch 是在之后才作用：r_t * (W_hn h_{t-1} + b_hn)"}},
        {"z_swapped",
         {"your z_t and 1 - z_t are swapped: in LibTorch, z_t is the share of the old state "
          "kept, h_t = (1 - z_t) * n_t + z_t * h_{t-1}",
          "你把 z_t 和 1 - z_t 弄反了：在 LibTorch 中，更新门（update gate）z_t 是旧状态保留"
          "下来的比例，h_t = (1 - z_t) * n_t + z_t * h_{t-1}"}},
        {"gate_order",
         {"your r and z blocks are swapped: LibTorch stacks r, z, n",
          "你把 r 和 z 两块弄反了：LibTorch 的堆叠顺序是 r, z, n"}},
        {"bias_outside_reset",
         {"your b_hn is outside the reset gate: LibTorch computes r_t * (W_hn h_{t-1} + b_hn)",
          "你的 b_hn 放在了重置门（reset gate）外面：LibTorch 算的是 "
          "r_t * (W_hn h_{t-1} + b_hn)"}}},
       check_gru_cell},

      {"bidirectional_final_state",
       {"05: Shapes, layouts and where the final state lives",
        "05：形状、布局，以及最终状态在哪里"},
       {"05 shapes", "05 形状"},
       {"the outputs of a bidirectional torch::nn::LSTM over packed sequences, at each "
        "sequence's true ends",
        "双向 torch::nn::LSTM 在打包序列上的输出，取在每条序列真正的两端"},
       {"The last layer's states are h_n[2 * (num_layers - 1)] (forward) and the one after it\n"
        "(backward). Join them side by side: Mat r(B, 2H); r << forward, backward;",
        "最后一层的两个状态是 h_n[2 * (num_layers - 1)]（正向）和紧跟在它后面的那个（反向）。\n"
        "把它们左右拼起来：Mat r(B, 2H); r << forward, backward;"},
       {{"last_only",
         {"you returned h_n[-1] alone: that is only the last layer's backward direction; join "
          "both, [h_n[-2], h_n[-1]]",
          "你只返回了 h_n[-1]：它只是最后一层的反向状态；要把两个方向拼起来，即 "
          "[h_n[-2], h_n[-1]]"}},
        {"directions_swapped",
         {"your directions are swapped: the forward state comes first, then the backward one",
          "你把两个方向的顺序弄反了：正向状态在前，反向状态在后"}},
        {"wrong_layer",
         {"you took layer 0's states: h_n lists layer 0 first, so the last layer is at "
          "2 * (num_layers - 1) and the one after it",
          "你取的是第 0 层的状态：h_n 从第 0 层排起，最后一层位于 2 * (num_layers - 1) 和它的"
          "下一个位置"}},
        {"wrong_layer",
         {"your states come from two different layers: the last layer's are at "
          "2 * (num_layers - 1) (forward) and 2 * (num_layers - 1) + 1 (backward)",
          "你的两个状态来自不同的层：最后一层的状态位于 2 * (num_layers - 1)（正向）和 "
          "2 * (num_layers - 1) + 1（反向）"},
         "two_layers"}},
       check_bidirectional_final_state},

      {"packing_metadata",
       {"06: Packed sequences: right answers, and what they cost",
        "06：打包序列：正确的结果，以及它的代价"},
       {"06 packing", "06 打包序列"},
       {"torch::nn::utils::rnn::pack_padded_sequence(..., enforce_sorted = false)",
        "torch::nn::utils::rnn::pack_padded_sequence(..., enforce_sorted = false) 的结果"},
       {"sorted_indices: the indices 0..B-1 sorted by decreasing length (std::stable_sort with\n"
        "a comparison on lengths). unsorted_indices[sorted_indices[k]] = k. batch_sizes[t] for\n"
        "t = 0 .. longest - 1: how many lengths are greater than t.",
        "sorted_indices：把下标 0..B-1 按长度从长到短排序（用 std::stable_sort，按长度比较）。\n"
        "unsorted_indices[sorted_indices[k]] = k。batch_sizes[t]（t 从 0 取到最长长度减 1）：\n"
        "长度大于 t 的序列有几条。"},
       {{"per_sequence_sizes",
         {"your batch_sizes lists the sequences' lengths: it has one entry per time step, the "
          "number of sequences longer than t",
          "你的 batch_sizes 列出的是各条序列的长度：它应当每个时间步（time step）一项，"
          "记录长度大于 t 的序列有几条"}},
        {"ascending",
         {"your sorted_indices put the shortest sequence first: packing wants the longest first "
          "(decreasing length)",
          "你的 sorted_indices 把最短的序列排在了最前面：打包序列（packed sequence）要求最长的在前"
          "（按长度递减）"}},
        {"not_inverse",
         {"your unsorted_indices equals sorted_indices: it must be the inverse permutation, "
          "unsorted_indices[sorted_indices[k]] = k",
          "你的 unsorted_indices 与 sorted_indices 相同：它应是逆排列，满足 "
          "unsorted_indices[sorted_indices[k]] = k"}}},
       check_packing_metadata},

      {"last_real_output",
       {"06: Packed sequences: right answers, and what they cost",
        "06：打包序列：正确的结果，以及它的代价"},
       {"06 packing", "06 打包序列"},
       {"h_n of the same torch::nn::LSTM run on the packed batch",
        "同一个 torch::nn::LSTM 在打包后的批次上运行得到的 h_n"},
       {"Row b of the result is output[b].row(lengths[b] - 1).",
        "结果的第 b 行就是 output[b].row(lengths[b] - 1)。"},
       {{"last_step",
         {"you took each sequence's row T_max - 1, the last padded step (output[:, -1] in "
          "PyTorch): for a sequence shorter than T_max that is padding; take row lengths[b] - 1",
          "你取的是每条序列的第 T_max - 1 行，即填充后的最后一步（PyTorch 写作 output[:, -1]）："
          "对短于 T_max 的序列，那一行是填充（padding）；应取第 lengths[b] - 1 行"}},
        {"off_by_one",
         {"you took row lengths[b], one past the last real step: take lengths[b] - 1",
          "你取的是第 lengths[b] 行，比最后一个真实时间步多了一步：应取第 lengths[b] - 1 行"}}},
       check_last_real_output},

      {"masked_mean",
       {"07: A sentiment LSTM that reads word order", "07：读懂词序的情感 LSTM"},
       {"07 sentiment", "07 情感分类"},
       {"a loop over each text's real words", "对每个文本的真实词元逐个累加的循环"},
       {"For text b: embedded[b].topRows(lengths[b]).colwise().sum() divided by lengths[b].",
        "对第 b 个文本：embedded[b].topRows(lengths[b]).colwise().sum() 再除以 lengths[b]。"},
       {{"padded_length",
         {"you divided by the padded length T_max: divide each text's sum by its own length",
          "你除以的是填充（padding）后的长度 T_max：每个文本的和应除以它自己的长度"}},
        {"padded_length",
         {"your mean runs over every row, padding included, and divides by T_max: sum and "
          "count only the real rows",
          "你的均值对所有行求平均，连填充行也算了进去，并除以 T_max：只应对真实的行求和、计数"},
         "every_row"},
        {"sum_includes_padding",
         {"your sum includes the padded rows: add only rows 0..lengths[b] - 1",
          "你的求和包含了填充行：只加第 0..lengths[b] - 1 行"}}},
       check_masked_mean},

      {"clip_grad_norm",
       {"09: Exploding gradients, clipping and masking", "09：梯度爆炸、梯度裁剪与屏蔽"},
       {"09 clipping, masking", "09 裁剪与屏蔽"},
       {"torch::nn::utils::clip_grad_norm_ (float64)",
        "LibTorch 的 torch::nn::utils::clip_grad_norm_（float64）"},
       {"norm = sqrt(sum over matrices of squaredNorm()). Only if norm > max_norm, multiply\n"
        "every matrix by max_norm / norm. Return norm.",
        "norm 是各矩阵 squaredNorm() 之和的平方根。只有当 norm > max_norm 时，才把每个矩阵\n"
        "都乘以 max_norm / norm。最后返回 norm。"},
       {{"zero_gradient",
         {"your clipping turns a zero gradient into nan: its norm is 0, so scale only when the "
          "norm is above max_norm",
          "你的梯度裁剪（gradient clipping）把全零梯度变成了 nan：它的范数是 0，只有范数大于 "
          "max_norm 时才缩放"}},
        {"per_tensor",
         {"you clipped each tensor on its own: the norm is global, one factor max_norm / norm "
          "for all of them",
          "你把每个张量各自裁剪：范数是全局的，所有张量共用同一个系数 max_norm / norm"}},
        {"scales_up",
         {"you scaled a gradient whose norm was already below max_norm: leave it unchanged "
          "(only shrink, never grow)",
          "梯度的范数本来就小于 max_norm，你却缩放了它：这时应保持不变（只缩小，不放大）"}},
        {"returns_clipped_norm",
         {"you returned the norm after clipping: return the norm from before (it shows how "
          "large the gradient really was)",
          "你返回的是裁剪后的范数：应返回裁剪前的范数（它说明梯度原本有多大）"}}},
       check_clip_grad_norm},

      {"masked_cross_entropy",
       {"09: Exploding gradients, clipping and masking", "09：梯度爆炸、梯度裁剪与屏蔽"},
       {"09 clipping, masking", "09 裁剪与屏蔽"},
       {"torch::nn::functional::cross_entropy with ignore_index (float64)",
        "带 ignore_index 的 torch::nn::functional::cross_entropy（float64）"},
       {"For each step whose target is not ignore_index: with m the row's largest score,\n"
        "loss = m + log(sum(exp(row - m))) - row(target). Sum them, count them, and return\n"
        "sum / count (0 when the count is 0).",
        "对目标不等于 ignore_index 的每个时间步：设 m 为这一行的最大分数，\n"
        "loss = m + log(sum(exp(row - m))) - row(target)。把它们加起来并计数，\n"
        "返回 sum / count（count 为 0 时返回 0）。"},
       {{"unstable",
         {"your loss overflowed on large scores: subtract the row's largest score before exp "
          "(log-sum-exp)",
          "分数很大时你的损失溢出了：取 exp 之前先减去这一行的最大分数（log-sum-exp 技巧）"}},
        {"all_positions",
         {"you divided by every position, padding included: divide by the number of real steps",
          "你除以的是全部位置的个数，连填充（padding）也算上了：应除以真实时间步的个数"}},
        {"unmasked",
         {"your mean includes the padded steps' losses: skip the steps whose target is "
          "ignore_index",
          "你的均值包含了填充时间步的损失：要跳过目标为 ignore_index 的时间步，即把它们屏蔽"
          "（masking）掉"}},
        {"sum_not_mean",
         {"you returned the sum: the loss is the mean over the real steps",
          "你返回的是总和：损失应是真实时间步上的平均值"}},
        {"no_real_steps",
         {"with no real step the loss is 0 by the contract (LibTorch returns nan: 0 / 0)",
          "没有真实时间步时，按约定损失为 0（LibTorch 会返回 nan，即 0 / 0）"}}},
       check_masked_cross_entropy},

      {"edit_distance",
       {"10: Teacher forcing and exposure bias, on grapheme-to-phoneme conversion",
        "10：教师强制与暴露偏差：以字素到音素转换为例"},
       {"10 teacher forcing", "10 教师强制"},
       {"a breadth-first search over single edits, on short strings",
        "在短字符串上对单步编辑做广度优先搜索"},
       {"d has (|a| + 1) x (|b| + 1) entries: d[i][0] = i, d[0][j] = j, and d[i][j] is the\n"
        "smallest of d[i-1][j] + 1, d[i][j-1] + 1 and d[i-1][j-1] + (a[i-1] != b[j-1]).\n"
        "The answer is d[|a|][|b|].",
        "d 有 (|a| + 1) x (|b| + 1) 个元素：d[i][0] = i，d[0][j] = j，d[i][j] 取\n"
        "d[i-1][j] + 1、d[i][j-1] + 1 和 d[i-1][j-1] + (a[i-1] != b[j-1]) 三者中最小的一个。\n"
        "答案是 d[|a|][|b|]。"},
       {{"empty_border",
         {"your table's first row and column start at 0: turning i symbols into none takes i "
          "deletions, so d[i][0] = i and d[0][j] = j",
          "你的表格第一行和第一列都从 0 开始：把 i 个符号变成空串需要 i 次删除，所以 "
          "d[i][0] = i，d[0][j] = j"}},
        {"no_substitution",
         {"you count a substitution as a deletion plus an insertion (cost 2): replacing one "
          "symbol is one edit",
          "你把一次替换算成了一次删除加一次插入（代价为 2）：替换一个符号只算一次编辑"}},
        {"short_loop",
         {"your table stops one row and one column short: it has (|a| + 1) x (|b| + 1) entries "
          "and the answer is d[|a|][|b|]",
          "你的表格少了一行一列：它应有 (|a| + 1) x (|b| + 1) 个元素，答案是 d[|a|][|b|]"}}},
       check_edit_distance},
  };
  return list;
}

std::string diagnosis_of(const Exercise& exercise, const Mistake& mistake) {
  if (mistake.id == "eigen_error") return text(Msg::kEigenDiagnosis);  // any exercise
  for (const KnownMistake& known : exercise.mistakes) {
    if (known.id == mistake.id && known.variant == mistake.variant) {
      return format_with(in_language(known.diagnosis), mistake.args);
    }
  }
  throw std::logic_error("the registry has no diagnosis for " + exercise.name + " [" + mistake.id +
                         "] " + mistake.variant);
}

}  // namespace ex::check
