//! Layer 1: reading the matrix.
//!
//! Rows are outputs, columns inputs with pull-ups. To read row `r`, drive
//! it low and every other row high: a pressed key on row `r` pulls its
//! column low. Generic over `embedded-hal` 1.0 digital pins, so the same
//! code runs on rppal's pins, on `embedded-hal-mock`'s and on the
//! simulated matrix.

use embedded_hal::digital::{InputPin, OutputPin};

/// Which keys are down, row-major (`rows × cols`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// `down[r * cols + c]`.
    pub down: Vec<bool>,
}

impl Matrix {
    /// All keys up.
    pub fn new(rows: usize, cols: usize) -> Matrix {
        Matrix {
            rows,
            cols,
            down: vec![false; rows * cols],
        }
    }

    /// Whether `(r, c)` is down.
    pub fn get(&self, r: usize, c: usize) -> bool {
        self.down[r * self.cols + c]
    }

    /// Whether any key is down.
    pub fn any(&self) -> bool {
        self.down.iter().any(|d| *d)
    }
}

/// A pin failed; says which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// Setting a row failed.
    #[error("keypad row {0} could not be driven")]
    Row(usize),
    /// Reading a column failed.
    #[error("keypad column {0} could not be read")]
    Column(usize),
}

/// Reads the whole matrix once. Leaves all rows high (released).
pub fn scan<R: OutputPin, C: InputPin>(
    rows: &mut [R],
    cols: &mut [C],
) -> Result<Matrix, ScanError> {
    let mut m = Matrix::new(rows.len(), cols.len());
    for r in 0..rows.len() {
        for (i, row) in rows.iter_mut().enumerate() {
            if i == r {
                row.set_low()
            } else {
                row.set_high()
            }
            .map_err(|_| ScanError::Row(i))?;
        }
        for (c, col) in cols.iter_mut().enumerate() {
            m.down[r * m.cols + c] = col.is_low().map_err(|_| ScanError::Column(c))?;
        }
    }
    for (i, row) in rows.iter_mut().enumerate() {
        row.set_high().map_err(|_| ScanError::Row(i))?;
    }
    Ok(m)
}

/// Drives every row low, so that pressing any key pulls a column low and
/// raises an edge: the idle state while waiting for a press.
pub fn arm<R: OutputPin>(rows: &mut [R]) -> Result<(), ScanError> {
    for (i, row) in rows.iter_mut().enumerate() {
        row.set_low().map_err(|_| ScanError::Row(i))?;
    }
    Ok(())
}

/// Whether any column reads low (a key is held) in the armed state.
pub fn any_column_low<C: InputPin>(cols: &mut [C]) -> Result<bool, ScanError> {
    for (c, col) in cols.iter_mut().enumerate() {
        if col.is_low().map_err(|_| ScanError::Column(c))? {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal_mock::eh1::digital::{Mock as PinMock, State, Transaction as T};

    #[test]
    fn scans_row_by_row_and_reads_columns() {
        // 2 × 2: key (1, 0) is down.
        let mut rows = [
            PinMock::new(&[T::set(State::Low), T::set(State::High), T::set(State::High)]),
            PinMock::new(&[T::set(State::High), T::set(State::Low), T::set(State::High)]),
        ];
        let mut cols = [
            PinMock::new(&[T::get(State::High), T::get(State::Low)]),
            PinMock::new(&[T::get(State::High), T::get(State::High)]),
        ];
        let m = scan(&mut rows, &mut cols).unwrap();
        assert_eq!(m.down, vec![false, false, true, false]);
        assert!(m.get(1, 0));
        for p in rows.iter_mut().chain(cols.iter_mut()) {
            p.done();
        }
    }

    #[test]
    fn arming_drives_all_rows_low() {
        let mut rows = [
            PinMock::new(&[T::set(State::Low)]),
            PinMock::new(&[T::set(State::Low)]),
        ];
        arm(&mut rows).unwrap();
        let mut cols = [
            PinMock::new(&[T::get(State::High)]),
            PinMock::new(&[T::get(State::Low)]),
        ];
        assert!(any_column_low(&mut cols).unwrap());
        for p in rows.iter_mut().chain(cols.iter_mut()) {
            p.done();
        }
    }

    #[test]
    fn a_failing_pin_is_named() {
        use embedded_hal_mock::eh1::MockError;
        let err = MockError::Io(std::io::ErrorKind::PermissionDenied);
        let mut rows = [PinMock::new(&[T::set(State::Low).with_error(err)])];
        let mut cols: [PinMock; 0] = [];
        assert_eq!(scan(&mut rows, &mut cols), Err(ScanError::Row(0)));
        rows[0].done();
    }
}
