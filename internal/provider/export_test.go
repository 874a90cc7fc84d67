package provider

// SingleBlocks exposes the blocks attributePath addresses through their only element, for the parity test.
var SingleBlocks = singleBlocks
