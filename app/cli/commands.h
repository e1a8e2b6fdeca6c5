// The table of avss subcommands; each is defined in its own file under commands/.
#pragma once

#include <vector>

#include "args.h"

namespace avss::cli {

CommandSpec infoCommand();
CommandSpec tokenizeCommand();
CommandSpec generateCommand();
CommandSpec perplexityCommand();
CommandSpec scoreCommand();
CommandSpec pruneCommand();
CommandSpec evalCommand();
CommandSpec sweepCommand();
CommandSpec lensCommand();
CommandSpec halluCommand();
CommandSpec mitigateCommand();

inline std::vector<CommandSpec> allCommands() {
    return {infoCommand(), tokenizeCommand(), generateCommand(), perplexityCommand(), evalCommand(), lensCommand(), scoreCommand(), pruneCommand(), sweepCommand(), halluCommand(), mitigateCommand()};
}

}  // namespace avss::cli
