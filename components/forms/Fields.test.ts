import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Field, RadioGroup, RouteEditor, TextInput } from "./Fields";

const html = (element: ReturnType<typeof h>) => renderToStaticMarkup(element);
const noop = () => {};

describe("Field", () => {
  it("wraps its input as field-<testId> and lists its messages as error-<testId>", () => {
    const out = html(
      h(Field, {
        label: "cidr",
        testId: "cidr",
        hint: "Empty: no IPv4.",
        messages: ["Invalid value (N-2)"],
        children: h(TextInput, { value: "10.0.0.0/33", testId: "cidr", invalid: true, onChange: noop }),
      }),
    );
    expect(out).toMatch(/^<label[^>]*data-testid="field-cidr"/);
    expect(out).toContain('data-testid="input-cidr"');
    expect(out).toContain('aria-invalid="true"');
    expect(out).toMatch(/data-testid="error-cidr"[^>]*><li>Invalid value \(N-2\)<\/li>/);
    expect(out).toContain("Empty: no IPv4.");
  });

  it("is a fieldset for a group of inputs, and shows no message list without messages", () => {
    const out = html(
      h(Field, {
        label: "Device",
        testId: "deviceName",
        group: true,
        messages: [],
        children: h(RadioGroup, {
          name: "device",
          value: "none",
          options: [
            ["host_device", "host NIC"],
            ["none", "none"],
          ],
          onChange: noop,
        }),
      }),
    );
    expect(out).toMatch(/^<fieldset[^>]*data-testid="field-deviceName"><legend[^>]*>Device<\/legend>/);
    expect(out).toContain('data-testid="field-device-host_device"');
    expect(out).toMatch(/data-testid="field-device-none" name="device" checked=""/);
    expect(out).not.toContain("error-deviceName");
  });
});

describe("TextInput", () => {
  it("carries the invalid border class, marked only when invalid", () => {
    const valid = html(h(TextInput, { value: "x", testId: "name", onChange: noop }));
    expect(valid).toContain("aria-[invalid=true]:border-red-500");
    expect(valid).not.toContain("aria-invalid");
  });
});

describe("RouteEditor", () => {
  const rows = [
    { destination: "10.70.0.0/16", gateway: "10.61.0.1" },
    { destination: "10.70.0.0/16", gateway: "10.61.0.2" },
  ];

  it("shows a row's messages under that row, with its inputs marked, and the list's below the list", () => {
    const out = html(
      h(RouteEditor, {
        label: "routes",
        family: 4,
        rows,
        testId: "routes",
        onChange: noop,
        messages: [
          { message: "this destination is listed twice (N-0)", source: "form", row: 1 },
          { message: "routes need an IPv4 network (N-1)", source: "cluster" },
        ],
      }),
    );
    expect(out).toMatch(/data-testid="error-routes-1"[^>]*><li>this destination is listed twice/);
    expect(out).not.toContain("error-routes-0");
    expect(out).toMatch(/data-testid="error-routes"[^>]*><li><span[^>]*>cluster<\/span>routes need an IPv4 network/);
    expect(out).toMatch(/aria-invalid="false"[^>]*data-testid="routes-destination-0"/);
    expect(out).toMatch(/aria-invalid="true"[^>]*data-testid="routes-destination-1"/);
  });

  it("says there are no routes, and offers none to add while the subnet is missing", () => {
    const out = html(
      h(RouteEditor, { label: "routes6", family: 6, rows: [], testId: "routes6", onChange: noop, messages: [], disabledHint: "Set net6 first" }),
    );
    expect(out).toContain("No routes: Pods get only the connected route of the subnet.");
    expect(out).toMatch(/data-testid="routes6-add" disabled="" title="Set net6 first"/);
  });
});
