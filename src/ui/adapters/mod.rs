//! One adapter per Slint global: `connect` wires the global's callbacks to
//! the controller, `apply` copies its part of the view when it changed.

mod app;
mod approval;
mod audit;
mod form;
mod info;
mod operators;
mod policy;
mod recovery;

use super::Ui;
use super::generated::AppWindow;
use super::view::View;
use slint::{Model, ModelRc, VecModel};
use std::rc::Rc;

/// Connects every adapter.
pub fn connect_all(window: &AppWindow, ui: &Rc<Ui>) {
    app::connect(window, ui);
    form::connect(window, ui);
    operators::connect(window, ui);
    policy::connect(window, ui);
    audit::connect(window, ui);
    recovery::connect(window, ui);
    approval::connect(window, ui);
}

/// Applies the view; `last` is what was applied before (`None`: everything).
pub fn apply_all(window: &AppWindow, view: &View, last: Option<&View>) {
    app::apply(window, view, last);
    form::apply(window, view, last);
    operators::apply(window, view, last);
    policy::apply(window, view, last);
    audit::apply(window, view, last);
    recovery::apply(window, view, last);
    info::apply(window, view, last);
    approval::apply(window, view, last);
}

/// Whether a part of the view differs from what was applied.
fn changed<T: PartialEq>(view: &View, last: Option<&View>, part: impl Fn(&View) -> &T) -> bool {
    last.is_none_or(|l| part(l) != part(view))
}

/// Updates a model in place (rows changed, added or removed) so lists keep
/// their scroll position and delegates are not rebuilt for nothing.
fn sync<T: Clone + PartialEq + 'static>(
    current: ModelRc<T>,
    items: Vec<T>,
    set: impl FnOnce(ModelRc<T>),
) {
    if let Some(vec) = current.as_any().downcast_ref::<VecModel<T>>() {
        for (i, item) in items.iter().enumerate() {
            if i < vec.row_count() {
                if vec.row_data(i).as_ref() != Some(item) {
                    vec.set_row_data(i, item.clone());
                }
            } else {
                vec.push(item.clone());
            }
        }
        while vec.row_count() > items.len() {
            vec.remove(vec.row_count() - 1);
        }
    } else {
        set(ModelRc::new(VecModel::from(items)));
    }
}
