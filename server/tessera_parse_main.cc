// tessera-parse: parses one imported document for tesserad under the CPU
// and memory limits given on its command line (statement_parse.h). Not
// meant to be run by hand.
#include "services/statement/statement_parse.h"

int main(int argc, char** argv) {
  return tessera::statement::RunParseHelper(argc, argv);
}
