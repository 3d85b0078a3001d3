// The console's style classes (Tailwind), in one place so that every input, button and message
// box looks and behaves alike: an input marked aria-invalid gets the red border everywhere.

export const inputClass =
  "w-full rounded border border-slate-300 px-2 py-1 text-sm disabled:bg-slate-100 disabled:text-slate-500 aria-[invalid=true]:border-red-500";
/** The filter box above a list (its width is the list's to choose). */
export const filterInputClass = "ml-auto rounded border border-slate-300 px-2 py-1 text-sm";
export const buttonClass = "rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-50";
export const primaryButtonClass = "rounded bg-slate-900 px-3 py-1 text-sm text-white hover:bg-slate-700 disabled:opacity-50";
export const dangerButtonClass = "rounded bg-red-700 px-3 py-1 text-sm text-white hover:bg-red-600 disabled:opacity-50";
/** A small icon button in a row (remove, move up/down). */
export const rowButtonClass = "px-1 text-slate-500 hover:text-red-700 disabled:opacity-30";
export const linkClass = "text-sky-800 hover:underline";

/** A group of fields. */
export const sectionClass = "rounded-lg border border-slate-200 bg-white p-4";
/** The refusal of a whole form. */
export const errorBoxClass = "rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800";
/** Someone else changed the object being edited. */
export const warningBoxClass = "rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900";
/** The bar at the bottom of a form with its Save button and the dry run's verdict. */
export const formBarClass = "sticky bottom-0 flex flex-wrap items-center gap-3 border-t border-slate-200 bg-slate-50 py-3";
