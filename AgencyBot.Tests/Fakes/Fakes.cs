// The Bot API emulator is part of the product now (AgencyBot.Host/Sandbox): the tests, the benchmark and the sandbox
// page all use the same one.
global using AgencyBot.Host.Sandbox;

namespace AgencyBot.Tests.Fakes
{
}
