namespace AgencyBot.Tests.Hosting;

/// <summary>
/// A test fixture with a fresh running agency (see <see cref="AgencyWorld"/>) for every test, stopped after it. A
/// fixture that needs other settings overrides <see cref="StartAgencyAsync"/>; one whose tests each start the agency
/// their own way says so (<see cref="StartsItsOwnAgency"/>) and sets <see cref="World"/> itself.
/// </summary>
public abstract class AgencyTest
{
    private AgencyWorld? _world;

    protected AgencyWorld World
    {
        get => _world ?? throw new InvalidOperationException("No agency is running in this test yet.");
        // A test may stop its agency and start another on the same database (a restart): the last one is stopped after it.
        set => _world = value;
    }

    /// <summary>True when each test starts the agency itself (with settings of its own).</summary>
    protected virtual bool StartsItsOwnAgency => false;

    /// <summary>The agency each test gets.</summary>
    protected virtual Task<AgencyWorld> StartAgencyAsync() => AgencyWorld.StartAsync();

    [SetUp]
    public async Task StartTheAgencyAsync()
    {
        if (!StartsItsOwnAgency) _world = await StartAgencyAsync();
    }

    [TearDown]
    public async Task StopTheAgencyAsync()
    {
        if (_world is { } world) await world.DisposeAsync();
        _world = null;
    }
}
