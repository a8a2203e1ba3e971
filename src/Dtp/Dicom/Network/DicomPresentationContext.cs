namespace Dtp.Dicom.Network;

/// <summary>A presentation context: an abstract syntax (SOP class) with the transfer syntaxes proposed, and once negotiated the one accepted.</summary>
/// <param name="Id">The context's odd identifier (1-255).</param>
/// <param name="AbstractSyntax">The SOP class UID.</param>
/// <param name="TransferSyntaxes">The transfer syntaxes proposed.</param>
public sealed record DicomPresentationContext(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes)
{
    /// <summary>Gets the acceptor's result: 0 accepted, 1 user rejection, 2 no reason, 3 abstract syntax not supported, 4 transfer syntaxes not supported.</summary>
    public byte Result { get; init; } = 4;

    /// <summary>Gets the transfer syntax accepted, or <see langword="null"/> when the context was not accepted.</summary>
    public string? AcceptedTransferSyntax { get; init; }

    /// <summary>Gets whether the requestor asks to act as SCP (role selection, for C-STORE sub-operations of C-GET).</summary>
    public bool RequestorIsScp { get; init; }
}
