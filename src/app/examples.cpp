#include "app/examples.h"

#include "app/web_bridge.h"

namespace scalecalc::app {

namespace {
const Example kExamples[] = {
    {"Video DiT sweep (synthetic, from the paper's laws)", "assets/example_sweep.csv",
     "example_sweep.csv", "compare=paper"},
    {"Chinchilla final losses (Epoch AI extraction, 245 runs)",
     "data/chinchilla_epoch_svg_extracted.csv", "chinchilla_epoch_svg_extracted.csv",
     "compare=epoch"},
    {"Step Law LR/batch sweeps (StepFun, 1,911 runs)", "data/steplaw_dense_lr_bs_loss.csv",
     "steplaw_dense_lr_bs_loss.csv", "tokens_per_sample=2048;batch_column=samples;compare=steplaw"},
    {"IsoFLOP points, five sources (947 runs)", "data/isoflops_multi_source.csv",
     "isoflops_multi_source.csv", "compare=chinchilla"},
};
}  // namespace

int ExampleCount() {
  return static_cast<int>(sizeof kExamples / sizeof kExamples[0]);
}
const Example& GetExample(int index) {
  return kExamples[index];
}

void RequestExample(int index) {
  web::FetchExample(index, kExamples[index].path);
}

std::string ApplyExample(Model& model, int index, const std::string& text) {
  if (index < 0 || index >= ExampleCount()) return "unknown example";
  const Example& example = kExamples[index];
  std::string error = model.LoadCsv(text, example.name);
  if (!error.empty()) return error;
  std::string options = example.options;
  size_t start = 0;
  while (start < options.size()) {
    size_t end = options.find(';', start);
    if (end == std::string::npos) end = options.size();
    const std::string item = options.substr(start, end - start);
    const size_t eq = item.find('=');
    if (eq != std::string::npos) {
      // A preset that does not exist is not worth refusing an example over.
      model.SetOption(item.substr(0, eq), item.substr(eq + 1));
    }
    start = end + 1;
  }
  return "";
}

}  // namespace scalecalc::app
